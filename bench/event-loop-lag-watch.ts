// How long the event loops of a latency run stood still, to read its tail
// against: a worker's loop that stood still 250 ms holds every event behind
// it that long, and so does the bench's own (it stamps events as it sends them
// and polls the watermarks that end their latency). Each worker's
// `nodejs_eventloop_lag_max_seconds` (prom-client's monitorEventLoopDelay,
// reset at every scrape) is read once a second, so each reading is the
// longest stall of that second; the bench's own loop is watched the same way.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { BenchWorker } from './bench-worker';

/** One loop's longest stall in the window, ms, and the seconds with one of 100 ms or more, of how many watched. */
export interface LoopLag {
  max_ms: number;
  seconds_over_100_ms: number;
  seconds: number;
}

export interface LoopLagFigures {
  /** Per worker. */
  workers: LoopLag[];
  /** The bench process's own loop (producer and poller). */
  bench: LoopLag;
}

const POLL_MS = 1000;
const STALL_MS = 100;

/** Longest stall and the seconds with one of STALL_MS or more, from per-second maxima in ms. */
export function lagFigures(perSecondMaxMs: readonly number[]): LoopLag {
  return {
    max_ms: perSecondMaxMs.length === 0 ? Number.NaN : Math.round(Math.max(...perSecondMaxMs)),
    seconds_over_100_ms: perSecondMaxMs.filter((ms) => ms >= STALL_MS).length,
    seconds: perSecondMaxMs.length,
  };
}

/** One line for a log or report: each worker's and the bench's longest stall, and its seconds with one of 100 ms or more. */
export function describeLoopLag(f: LoopLagFigures): string {
  const one = (name: string, l: LoopLag) => `${name} ${l.max_ms} ms (${l.seconds_over_100_ms} of ${l.seconds} s ≥ ${STALL_MS} ms)`;
  return `longest event-loop stall: ${[...f.workers.map((w, i) => one(`worker ${i + 1}`, w)), one('bench', f.bench)].join(', ')}`;
}

export class EventLoopLagWatch {
  private readonly perWorker: number[][];
  private readonly own: number[] = [];
  private readonly histogram = monitorEventLoopDelay({ resolution: 10 });
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<unknown> = Promise.resolve();

  /** The workers must serve /metrics (started with `metrics: true`). */
  constructor(private readonly workers: readonly BenchWorker[]) {
    this.perWorker = workers.map(() => []);
  }

  start(): void {
    this.histogram.enable();
    // The first scrape ends the window the workers' monitors have gathered since they started.
    this.polling = Promise.all(this.workers.map((w) => w.metrics()));
    this.timer = setInterval(() => {
      this.own.push(this.histogram.max / 1e6);
      this.histogram.reset();
      this.polling = Promise.all(
        this.workers.map(async (w, i) => {
          const lag = (await w.metrics()).get('nodejs_eventloop_lag_max_seconds');
          if (lag !== undefined) this.perWorker[i]!.push(lag * 1000);
        }),
      );
    }, POLL_MS).unref(); // a run that fails before stop() must not be kept alive by the watch
  }

  async stop(): Promise<LoopLagFigures> {
    if (this.timer) clearInterval(this.timer);
    this.histogram.disable();
    await this.polling;
    return { workers: this.perWorker.map(lagFigures), bench: lagFigures(this.own) };
  }
}
