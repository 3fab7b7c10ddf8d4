// Tab figures on `topology serve`'s /metrics, for Prometheus and Grafana
// (opt-in: `--metrics-tabs <pattern>`). Each matching Tab's aggregate across
// its clients, as /api/aggregate answers it, becomes a few gauges labelled by
// topology, Tab, type and window. The label sets stay bounded: at most
// `maxTabs` Tabs (the first by name; the rest are counted as left out), a
// fixed set of windows and quantiles per type, and one family for the
// numeric figures of a topology's own types.
import type { Registry } from 'prom-client';
import { QueryBudget, HTTP_QUERY_LIMITS } from '../state/query-budget';
import type { RenderedAggregate } from '../state/tab-query';
import { exactName } from '../state/user-pattern';
import { scrapedGauge, type Sample } from '../topology/runtime/scraped-metrics';
import type { ClusterReader } from './cluster-reader';
import type { QueryCache } from './query-cache';

export interface TabMetricsOptions {
  /** The topology whose Tabs are exported. */
  topology: string;
  /** Tabs whose name matches (anchored, RE2, as every query pattern). */
  pattern: string;
  /** At most this many Tabs, the first by name. */
  maxTabs: number;
}

export const DEFAULT_METRICS_MAX_TABS = 200;

/** What one scrape read: the Tabs' aggregates, how many matched beyond the cap, or that it failed. */
interface TabSnapshot {
  up: boolean;
  aggregates: RenderedAggregate[];
  leftOut: boolean;
  /** Every family's samples, made once per read. */
  samples: Map<string, Sample[]>;
}

/** The figures of a window cell that get a family of their own; any other number goes to `tabstream_tab_figure`. */
const WINDOW_FIELDS: Record<string, string> = { count: 'tabstream_tab_events', total: 'tabstream_tab_sum', average: 'tabstream_tab_average', distinct: 'tabstream_tab_distinct' };

/** `p99.9` → `0.999`: Prometheus's quantile label. */
function quantileLabel(name: string): string | null {
  const m = /^p(\d+(?:\.\d+)?)$/.exec(name);
  // Rounded to 12 digits: 99.9 / 100 is 0.9990000000000001 in binary floating point.
  return m === null ? null : String(Number((Number(m[1]) / 100).toPrecision(12)));
}

const isCell = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every sample an aggregate gives, by family name. */
export function tabSamples(topology: string, a: RenderedAggregate): Map<string, Sample[]> {
  const out = new Map<string, Sample[]>();
  const put = (family: string, labels: Record<string, string>, value: unknown): void => {
    if (typeof value !== 'number' || !Number.isFinite(value)) return;
    let list = out.get(family);
    if (list === undefined) out.set(family, (list = []));
    list.push([{ topology, tab: a.name, type: a.type, ...labels }, value]);
  };
  put('tabstream_tab_clients', {}, a.clients);
  for (const [key, value] of Object.entries(a)) {
    if (key === 'name' || key === 'type' || key === 'clients' || key === 'tabs') continue;
    if (key === 'percentiles' && isCell(value)) {
      for (const [window, quantiles] of Object.entries(value)) {
        if (!isCell(quantiles)) continue;
        for (const [q, v] of Object.entries(quantiles)) {
          const quantile = quantileLabel(q);
          if (quantile !== null) put('tabstream_tab_percentile', { window, quantile }, v);
        }
      }
    } else if (isCell(value)) {
      // A window (`1m` … `all`): its numbers; a timestamp is no figure to graph.
      for (const [field, v] of Object.entries(value)) {
        if (field === 'time') continue;
        const family = WINDOW_FIELDS[field];
        if (family !== undefined) put(family, { window: key }, v);
        else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) put('tabstream_tab_figure', { window: key, field }, v);
      }
    } else if (key === 'value') {
      put('tabstream_tab_value', {}, value);
    }
  }
  return out;
}

const FAMILIES: Array<{ name: string; help: string; labels: string[] }> = [
  { name: 'tabstream_tab_clients', help: 'Clients whose states the Tab’s aggregate merges', labels: [] },
  { name: 'tabstream_tab_events', help: 'Events the Tab folded in the window (its aggregate across clients)', labels: ['window'] },
  { name: 'tabstream_tab_sum', help: 'Sum of the values the Tab folded in the window', labels: ['window'] },
  { name: 'tabstream_tab_average', help: 'Average of the values the Tab folded in the window', labels: ['window'] },
  { name: 'tabstream_tab_distinct', help: 'Distinct values the Tab saw in the window (HyperLogLog estimate)', labels: ['window'] },
  { name: 'tabstream_tab_percentile', help: 'The Tab’s value at the quantile, over the window', labels: ['window', 'quantile'] },
  { name: 'tabstream_tab_value', help: 'A gauge Tab’s latest value', labels: [] },
  { name: 'tabstream_tab_figure', help: 'Any other numeric figure of a Tab’s window (a topology’s own Tab types), by field', labels: ['window', 'field'] },
];

/** Adds the Tab families to `registry`; one read of the Tabs per scrape, shared through `cache`. */
export function registerTabMetrics(registry: Registry, reader: ClusterReader, cache: QueryCache | null, opts: TabMetricsOptions): void {
  let snapshot: { at: number; read: Promise<TabSnapshot> } | null = null;
  const read = (): Promise<TabSnapshot> => {
    const now = Date.now();
    // The families' collect callbacks run concurrently within one scrape: they share one read.
    if (snapshot !== null && now - snapshot.at < 500) return snapshot.read;
    const ask = () => readTabs(reader, opts);
    const fresh = (cache === null ? ask() : cache.get(opts.topology, `tab-metrics\u0000${opts.pattern}\u0000${opts.maxTabs}`, ask)).catch(
      (): TabSnapshot => ({ up: false, aggregates: [], leftOut: false, samples: new Map() }),
    );
    snapshot = { at: now, read: fresh };
    return fresh;
  };
  const samples = async (family: string): Promise<Sample[]> => (await read()).samples.get(family) ?? [];
  for (const { name, help, labels } of FAMILIES) {
    scrapedGauge(registry, { name, help, labelNames: ['topology', 'tab', 'type', ...labels], read: () => samples(name) });
  }
  scrapedGauge(registry, {
    name: 'tabstream_tab_metrics_up',
    help: '1 when the Tabs exported here (--metrics-tabs) could be read at this scrape, else 0',
    labelNames: ['topology'],
    read: async () => [[{ topology: opts.topology }, (await read()).up ? 1 : 0]],
  });
  scrapedGauge(registry, {
    name: 'tabstream_tab_metrics_tabs',
    help: 'Tabs exported here; left_out="1" when more matched --metrics-tabs than --metrics-max-tabs allows',
    labelNames: ['topology', 'left_out'],
    read: async () => {
      const s = await read();
      return s.up ? [[{ topology: opts.topology, left_out: s.leftOut ? '1' : '0' }, s.aggregates.length]] : [];
    },
  });
}

/** The first `maxTabs` matching Tabs by name (a listing, names only), then each one's aggregate by its exact name. */
async function readTabs(reader: ClusterReader, opts: TabMetricsOptions): Promise<TabSnapshot> {
  const budget = () => new QueryBudget(HTTP_QUERY_LIMITS);
  const page = await reader.listing(opts.topology, budget()).listTabs(opts.pattern, { limit: opts.maxTabs });
  const query = await reader.query(opts.topology, budget());
  const aggregates: RenderedAggregate[] = [];
  // A few lookups at a time: each is one round to Redis.
  for (let i = 0; i < page.tabs.length; i += 16) {
    const answers = await Promise.all(page.tabs.slice(i, i + 16).map(({ tab }) => query.aggregate(exactName(tab))));
    for (const answer of answers) aggregates.push(...Object.values(answer));
  }
  const samples = new Map<string, Sample[]>();
  for (const a of aggregates) {
    for (const [family, list] of tabSamples(opts.topology, a)) {
      const all = samples.get(family);
      if (all === undefined) samples.set(family, list);
      else all.push(...list);
    }
  }
  return { up: true, aggregates, leftOut: page.next !== null, samples };
}
