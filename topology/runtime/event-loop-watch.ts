import type { Logger } from 'pino';

/**
 * Says when this process's event loop stood still: a timer that should tick
 * every `tickMs` measures how late it came. A late tick means nothing ran —
 * no ZooKeeper ping, no Kafka fetch, no checkpoint — for that long: a
 * blocked loop (a synchronous write to a full pipe, a long GC), a process
 * that was stopped (SIGSTOP) or starved of CPU. A worker whose session
 * expires "for no reason" is explained by this line, or ruled out by its
 * absence.
 */
export class EventLoopWatch {
  private timer: NodeJS.Timeout | null = null;
  private last = 0;
  /** The longest stall seen since start, in ms. */
  longestMs = 0;

  constructor(
    private readonly log: Logger,
    private readonly thresholdMs = 1000,
    private readonly tickMs = 100,
  ) {}

  start(): void {
    if (this.timer) return;
    this.last = Date.now();
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const now = Date.now();
    const stalled = now - this.last - this.tickMs;
    this.last = now;
    if (stalled > this.longestMs) this.longestMs = stalled;
    if (stalled >= this.thresholdMs) {
      this.log.warn({ ms: stalled }, 'event loop stood still (process stopped, starved of CPU, or blocked)');
    }
  }
}
