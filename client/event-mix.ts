// A reproducible, realistic stream of Tab events for the demo, benchmarks and
// tests: an ad-bidding service's mix of every Tab type, skewed like real
// traffic, from several clients. It remembers what it produced so a test can
// compute exactly what the aggregates must say.
import { SeededRandom } from './seeded-random';

export type MixTabType = 'counter' | 'gauge' | 'percentile' | 'unique' | 'buffer';

export interface MixEvent {
  tab: string;
  type: MixTabType;
  /** A number, or a string for `unique`. Counter values are integers, so totals sum exactly in any order. */
  value: number | string;
  /** The producing client id, e.g. `bidder-2`. */
  client: string;
}

export interface EventMixOptions {
  /** Same seed, same sequence. Default 1. */
  seed?: number;
  /** How many clients, named `bidder-1` ... `bidder-N`. Default 4. */
  clients?: number;
}

export interface CounterTotals {
  count: number;
  total: number;
}

interface MixTab {
  tab: string;
  type: MixTabType;
  weight: number;
  value: (random: SeededRandom) => number | string;
}

const PAGES = ['/home', '/search', '/checkout', '/product', '/cart', '/account', '/help', '/blog'];
const USER_POOL = 5000;
const IP_POOL = 2000;
const CAMPAIGN_POOL = 120;

const round = (x: number, digits: number): number => Number(x.toFixed(digits));
const one = (): number => 1;

function catalogue(): MixTab[] {
  const tabs: MixTab[] = [
    // Counters.
    { tab: 'bids', type: 'counter', weight: 30, value: one },
    { tab: 'wins', type: 'counter', weight: 6, value: one },
    { tab: 'impressions', type: 'counter', weight: 10, value: one },
    { tab: 'clicks', type: 'counter', weight: 2, value: one },
    { tab: 'errors', type: 'counter', weight: 0.5, value: one },
    { tab: 'timeouts', type: 'counter', weight: 0.5, value: one },
    { tab: 'bytes_sent', type: 'counter', weight: 4, value: (r) => r.int(200, 20_000) },
    { tab: 'spend_micros', type: 'counter', weight: 3, value: (r) => r.int(10, 5_000) },
    { tab: 'ad_requests.mobile', type: 'counter', weight: 5, value: one },
    { tab: 'ad_requests.desktop', type: 'counter', weight: 3, value: one },
    // Gauges.
    { tab: 'queue_depth', type: 'gauge', weight: 1, value: (r) => r.int(0, 500) },
    { tab: 'active_connections', type: 'gauge', weight: 1, value: (r) => r.int(10, 2_000) },
    { tab: 'cpu_load', type: 'gauge', weight: 1, value: (r) => round(r.next() * 4, 2) },
    { tab: 'memory_used_mb', type: 'gauge', weight: 1, value: (r) => r.int(300, 4_000) },
    { tab: 'budget_remaining', type: 'gauge', weight: 0.5, value: (r) => round(r.next() * 10_000, 2) },
    // Percentiles.
    { tab: 'winning_bid_price', type: 'percentile', weight: 6, value: (r) => round(r.logNormal(0.25, 0.6), 3) },
    { tab: 'bid_price', type: 'percentile', weight: 10, value: (r) => round(r.logNormal(0.15, 0.8), 3) },
    { tab: 'request_latency_ms', type: 'percentile', weight: 8, value: (r) => round(r.logNormal(12, 0.7), 1) },
    { tab: 'payload_size', type: 'percentile', weight: 2, value: (r) => r.int(100, 60_000) },
    // Uniques.
    { tab: 'unique_users', type: 'unique', weight: 5, value: (r) => `user-${r.skewedIndex(USER_POOL)}` },
    { tab: 'unique_ips', type: 'unique', weight: 2, value: (r) => `10.0.${r.int(0, 7)}.${r.skewedIndex(IP_POOL / 8)}` },
    { tab: 'campaigns_served', type: 'unique', weight: 2, value: (r) => `campaign-${r.skewedIndex(CAMPAIGN_POOL, 1.5)}` },
    // Buffers.
    { tab: 'recent_bid_prices', type: 'buffer', weight: 2, value: (r) => round(r.logNormal(0.15, 0.8), 3) },
    { tab: 'recent_latency_ms', type: 'buffer', weight: 1, value: (r) => round(r.logNormal(12, 0.7), 1) },
  ];
  // Per-page Tabs, with page popularity falling off like real traffic.
  PAGES.forEach((page, i) => {
    const weight = 8 / (i + 1);
    tabs.push({ tab: `page_views:${page}`, type: 'counter', weight, value: one });
    tabs.push({ tab: `render_time_ms:${page}`, type: 'percentile', weight: weight / 2, value: (r) => round(r.logNormal(40, 0.5), 1) });
    tabs.push({ tab: `unique_users:${page}`, type: 'unique', weight: weight / 2, value: (r) => `user-${r.skewedIndex(USER_POOL)}` });
  });
  return tabs;
}

export class EventMix {
  readonly clients: readonly string[];
  readonly tabs: ReadonlyArray<{ tab: string; type: MixTabType }>;
  private readonly random: SeededRandom;
  private readonly catalogue: MixTab[];
  private readonly cumulativeWeights: number[];
  private produced = 0;
  private readonly countsByTab = new Map<string, number>();
  /** tab -> client -> totals, for counter Tabs only. */
  private readonly counterTotals = new Map<string, Map<string, CounterTotals>>();
  /** tab -> client -> last value, for gauge Tabs only. */
  private readonly lastGauges = new Map<string, Map<string, number>>();
  /** tab -> distinct values, for unique Tabs only (bounded by the value pools). */
  private readonly distinctValues = new Map<string, Set<string>>();

  constructor(options: EventMixOptions = {}) {
    const clientCount = options.clients ?? 4;
    if (!Number.isInteger(clientCount) || clientCount < 1) throw new RangeError(`clients must be a positive integer, got ${clientCount}`);
    this.random = new SeededRandom(options.seed ?? 1);
    this.clients = Array.from({ length: clientCount }, (_, i) => `bidder-${i + 1}`);
    this.catalogue = catalogue();
    this.tabs = this.catalogue.map(({ tab, type }) => ({ tab, type }));
    let sum = 0;
    this.cumulativeWeights = this.catalogue.map((t) => (sum += t.weight));
  }

  next(): MixEvent {
    const spec = this.pickTab();
    const client = this.clients[this.random.int(0, this.clients.length - 1)];
    const event: MixEvent = { tab: spec.tab, type: spec.type, value: spec.value(this.random), client };
    this.remember(event);
    return event;
  }

  take(n: number): MixEvent[] {
    return Array.from({ length: n }, () => this.next());
  }

  /** How many events `next()` has produced. */
  get count(): number {
    return this.produced;
  }

  /** Events produced per Tab. */
  eventsByTab(): Map<string, number> {
    return new Map(this.countsByTab);
  }

  /**
   * The exact all-time `count` and `total` each counter Tab must aggregate to,
   * over the clients `includeClient` accepts (all by default).
   */
  expectedCounters(includeClient: (client: string) => boolean = () => true): Map<string, CounterTotals> {
    const result = new Map<string, CounterTotals>();
    for (const [tab, byClient] of this.counterTotals) {
      const sum: CounterTotals = { count: 0, total: 0 };
      for (const [client, totals] of byClient) {
        if (!includeClient(client)) continue;
        sum.count += totals.count;
        sum.total += totals.total;
      }
      if (sum.count > 0) result.set(tab, sum);
    }
    return result;
  }

  /** The last value each client recorded per gauge Tab: tab -> client -> value. */
  expectedGauges(): Map<string, Map<string, number>> {
    return new Map([...this.lastGauges].map(([tab, byClient]) => [tab, new Map(byClient)]));
  }

  /** The exact number of distinct values per unique Tab (HyperLogLog estimates it). */
  expectedDistinct(): Map<string, number> {
    return new Map([...this.distinctValues].map(([tab, values]) => [tab, values.size]));
  }

  private pickTab(): MixTab {
    const target = this.random.next() * this.cumulativeWeights[this.cumulativeWeights.length - 1];
    let lo = 0;
    let hi = this.cumulativeWeights.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulativeWeights[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return this.catalogue[lo];
  }

  private remember(event: MixEvent): void {
    this.produced++;
    this.countsByTab.set(event.tab, (this.countsByTab.get(event.tab) ?? 0) + 1);
    if (event.type === 'counter') {
      const byClient = getOrCreate(this.counterTotals, event.tab, () => new Map<string, CounterTotals>());
      const totals = getOrCreate(byClient, event.client, () => ({ count: 0, total: 0 }));
      totals.count++;
      totals.total += event.value as number;
    } else if (event.type === 'gauge') {
      getOrCreate(this.lastGauges, event.tab, () => new Map<string, number>()).set(event.client, event.value as number);
    } else if (event.type === 'unique') {
      getOrCreate(this.distinctValues, event.tab, () => new Set<string>()).add(event.value as string);
    }
  }
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}
