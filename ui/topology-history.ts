// One topology's last hour as the dashboard charts it, kept by `serve`
// (bounded rings, see SeriesRing) so a page opened late still shows the
// hour: events/s, lag, checkpoint latency, dead letters per reason, whether
// the cluster answered; and per Tab its rate and key figure.
import type { RenderedAggregate } from '../state/aggregate';
import type { TopologyStatus } from '../topology/deploy/topology-status';
import { SeriesRing } from './series-ring';
import { eventCount, KEY_FIGURES, keyFigure } from './tab-figure';

/** Tabs followed per topology; more are left out of the history (the table still shows them). */
export const MAX_TABS = 200;
/** Dead-letter reasons kept apart; the rest are summed as `other`. */
const MAX_REASONS = 16;
/**
 * Rates are measured over at least this long: counts move when checkpoints
 * land, so over one short step a rate would swing between 0 and twice itself.
 */
const RATE_BASE_MS = 5000;

/** What one sample read; null for what could not be read. */
export interface Observation {
  at: number;
  status: TopologyStatus | null;
  aggregates: Record<string, RenderedAggregate> | null;
}

export interface HistoryJson {
  topology: string;
  stepMs: number;
  spanMs: number;
  /** Sample times, epoch ms. */
  t: number[];
  /** events_per_s, lag, checkpoint_ms (mean), checkpoint_max_ms, up (1: status fully read, 0: not): a value per time or null. */
  series: Record<string, Array<number | null>>;
  /** Dead letters per sample, by reason; and the counts the workers hold now. */
  deadLetters: { perSample: Record<string, Array<number | null>>; held: Record<string, number> };
  /** Per Tab: its type, its key figure's name, events/s and key figure per time. */
  tabs: Record<string, { type: string; figure: string | null; rate: Array<number | null>; value: Array<number | null> }>;
}

const DEAD_LETTER = 'dead_letters:';

export class TopologyHistory {
  private readonly main: SeriesRing;
  private readonly rates: SeriesRing;
  private readonly figures: SeriesRing;
  private readonly types = new Map<string, string>();
  /** The counts last read, and when, over the last RATE_BASE_MS and one before: rates are their change (a sample that could not read them keeps the older ones). */
  private readonly pastEvents: Array<{ at: number; counts: Map<string, number> }> = [];
  private readonly pastTabs: Array<{ at: number; counts: Map<string, number> }> = [];
  /** Per worker: the report last read (its time) and the dead letters it held then. */
  private readonly workers = new Map<string, { reportedAt: number; deadLetters: Record<string, number> }>();
  private held: Record<string, number> = {};

  constructor(
    readonly topology: string,
    readonly stepMs: number,
    readonly spanMs: number,
  ) {
    const capacity = Math.max(2, Math.ceil(spanMs / stepMs));
    this.main = new SeriesRing(capacity, 5 + MAX_REASONS + 1);
    this.rates = new SeriesRing(capacity, MAX_TABS);
    this.figures = new SeriesRing(capacity, MAX_TABS);
  }

  get length(): number {
    return this.main.length;
  }

  record({ at, status, aggregates }: Observation): void {
    const rate = (now: number | null, past: Array<{ at: number; counts: Map<string, number> }>, key: string): number | null => {
      const base = baseOf(past, at);
      const before = base?.counts.get(key);
      return now === null || base === undefined || before === undefined || at <= base.at || now < before ? null : (now - before) / ((at - base.at) / 1000);
    };

    const partitions = status?.partitions ?? [];
    const events = status !== null && partitions.every((p) => p.events !== null) ? partitions.reduce((s, p) => s + p.events!, 0) : null;
    const lag = status !== null && partitions.every((p) => p.lag !== null) ? status.totalLag : null;
    const values: Record<string, number | null> = {
      events_per_s: rate(events, this.pastEvents, ''),
      lag,
      up: status !== null && status.unavailable.length === 0 ? 1 : 0,
      ...this.checkpoints(status),
    };
    for (const [reason, n] of Object.entries(this.deadLetters(status, this.main.lastTime))) values[DEAD_LETTER + reason] = n;
    this.main.push(at, values);
    if (events !== null) remember(this.pastEvents, at, new Map([['', events]]));

    const tabRates: Record<string, number | null> = {};
    const tabFigures: Record<string, number | null> = {};
    if (aggregates !== null) {
      const counts = new Map<string, number>();
      for (const [tab, a] of Object.entries(aggregates)) {
        const count = eventCount(a);
        if (count !== null) counts.set(tab, count);
        tabRates[tab] = rate(count, this.pastTabs, tab);
        tabFigures[tab] = keyFigure(a);
        this.types.set(tab, a.type);
      }
      remember(this.pastTabs, at, counts);
    }
    this.rates.push(at, tabRates);
    this.figures.push(at, tabFigures);
    // Types are kept for the Tabs the rings follow, and those just read.
    const followed = new Set([...this.rates.columnNames, ...this.figures.columnNames]);
    for (const tab of this.types.keys()) if (!followed.has(tab) && !(aggregates !== null && tab in aggregates)) this.types.delete(tab);
  }

  /** Mean and max of the checkpoints the workers reported since the last sample (none new: no value). */
  private checkpoints(status: TopologyStatus | null): Record<string, number | null> {
    let count = 0;
    let sum = 0;
    let max: number | null = null;
    for (const w of status?.workers ?? []) {
      const health = w.health;
      const c = health?.stats?.[this.topology]?.checkpoints;
      const seen = this.workers.get(w.id);
      if (health === undefined || c === null || c === undefined || (seen !== undefined && seen.reportedAt >= health.reportedAt)) continue;
      count += c.count;
      sum += c.meanMs * c.count;
      max = Math.max(max ?? 0, c.maxMs);
    }
    return { checkpoint_ms: count === 0 ? null : sum / count, checkpoint_max_ms: max };
  }

  /**
   * Dead letters since the last sample, by reason: each worker's counts less
   * those it held before (a count that fell is a partition that moved: what
   * it holds now is new). A worker seen for the first time counts whole only
   * if it started after the last sample; before, what it held is history.
   */
  private deadLetters(status: TopologyStatus | null, lastAt: number | null): Record<string, number> {
    const out: Record<string, number> = {};
    if (status === null) return out;
    const held: Record<string, number> = {};
    const live = new Set<string>();
    for (const w of status.workers) {
      live.add(w.id);
      const health = w.health;
      const now = health?.stats?.[this.topology]?.deadLetters ?? {};
      const seen = this.workers.get(w.id);
      for (const [reason, n] of Object.entries(now)) {
        const key = this.reasonKey(reason);
        held[key] = (held[key] ?? 0) + n;
        const before = seen?.deadLetters[reason] ?? (seen === undefined && (lastAt === null || w.startedAt < lastAt) ? n : 0);
        const delta = n >= before ? n - before : n;
        if (delta > 0) out[key] = (out[key] ?? 0) + delta;
      }
      this.workers.set(w.id, { reportedAt: health?.reportedAt ?? 0, deadLetters: { ...now } });
    }
    for (const id of this.workers.keys()) if (!live.has(id)) this.workers.delete(id);
    this.held = held;
    return out;
  }

  /** A reason as its own series while there is room, else `other`. */
  private reasonKey(reason: string): string {
    const kept = this.main.columnNames.filter((c) => c.startsWith(DEAD_LETTER)).length;
    return this.main.columnNames.includes(DEAD_LETTER + reason) || kept < MAX_REASONS ? reason : 'other';
  }

  /** The samples after `since` (all when absent), with the Tabs `tab` accepts. */
  toJson(since?: number, tab: (name: string) => boolean = () => true): HistoryJson {
    const main = this.main.read(since);
    const rates = this.rates.read(since, tab);
    const figures = this.figures.read(since, tab);
    const series: HistoryJson['series'] = {};
    const perSample: HistoryJson['deadLetters']['perSample'] = {};
    const none = () => main.t.map(() => null);
    for (const name of ['events_per_s', 'lag', 'checkpoint_ms', 'checkpoint_max_ms', 'up']) series[name] = main.columns[name] ?? none();
    for (const [name, values] of Object.entries(main.columns)) if (name.startsWith(DEAD_LETTER)) perSample[name.slice(DEAD_LETTER.length)] = values;
    const tabs: HistoryJson['tabs'] = {};
    for (const name of [...new Set([...Object.keys(rates.columns), ...Object.keys(figures.columns)])].sort()) {
      const type = this.types.get(name) ?? 'unknown';
      tabs[name] = { type, figure: KEY_FIGURES[type] ?? null, rate: rates.columns[name] ?? none(), value: figures.columns[name] ?? none() };
    }
    return { topology: this.topology, stepMs: this.stepMs, spanMs: this.spanMs, t: main.t, series, deadLetters: { perSample, held: this.held }, tabs };
  }
}

/** The reading to measure a rate at `at` from: the newest at least RATE_BASE_MS older, else the oldest kept. */
function baseOf<T extends { at: number }>(past: T[], at: number): T | undefined {
  for (let i = past.length - 1; i >= 0; i--) if (at - past[i]!.at >= RATE_BASE_MS) return past[i];
  return past[0];
}

/** Keeps a reading, and of the older ones only those a later rate may still be measured from. */
function remember(past: Array<{ at: number; counts: Map<string, number> }>, at: number, counts: Map<string, number>): void {
  past.push({ at, counts });
  while (past.length > 1 && at - past[1]!.at >= RATE_BASE_MS) past.shift();
}
