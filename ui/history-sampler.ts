// `serve`'s sampler: every step, for each topology it follows, reads the
// topology's status and its Tabs' aggregates (through the shared query
// cache, as the dashboard's own poll does) and adds one sample to its
// TopologyHistory. It follows the server's topology from the start, and
// any other a client asks the history of, up to a few.
import type { RenderedAggregate } from '../state/aggregate';
import type { TopologyStatus } from '../topology/deploy/topology-status';
import { TopologyHistory } from './topology-history';

/** The default: a sample every 5 s, an hour kept (720 samples). */
export const HISTORY_STEP_MS = 5000;
export const HISTORY_SPAN_MS = 3600_000;
/** Topologies followed at once: the server's, and the first others asked for. */
const MAX_TOPOLOGIES = 8;

export interface HistorySources {
  status(topology: string): Promise<TopologyStatus>;
  aggregates(topology: string): Promise<Record<string, RenderedAggregate>>;
}

export class HistorySampler {
  private readonly histories = new Map<string, TopologyHistory>();
  private timer: NodeJS.Timeout | null = null;
  private sampling: Promise<void> | null = null;

  constructor(
    private readonly sources: HistorySources,
    topology: string,
    readonly stepMs = HISTORY_STEP_MS,
    readonly spanMs = HISTORY_SPAN_MS,
  ) {
    this.follow(topology);
  }

  start(): void {
    if (this.timer !== null) return;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.stepMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.sampling;
  }

  /** The history of `topology`; with `start`, followed from now on if it was not (null when it is not followed, or too many are). */
  follow(topology: string, start = true): TopologyHistory | null {
    let history = this.histories.get(topology);
    if (history === undefined) {
      if (!start || this.histories.size >= MAX_TOPOLOGIES) return null;
      history = new TopologyHistory(topology, this.stepMs, this.spanMs);
      this.histories.set(topology, history);
    }
    return history;
  }

  /** One sample of every followed topology; a sample still running when the next is due makes that one wait its turn (skipped). */
  sample(): Promise<void> {
    if (this.sampling !== null) return this.sampling;
    this.sampling = Promise.all([...this.histories.values()].map((h) => this.sampleOne(h))).then(
      () => void (this.sampling = null),
      () => void (this.sampling = null),
    );
    return this.sampling;
  }

  private async sampleOne(history: TopologyHistory): Promise<void> {
    const at = Date.now();
    // Either read failing leaves a gap in its series, never the sampler stopped.
    const [status, aggregates] = await Promise.all([
      this.sources.status(history.topology).catch(() => null),
      this.sources.aggregates(history.topology).catch(() => null),
    ]);
    history.record({ at, status, aggregates });
  }
}
