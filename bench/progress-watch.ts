// Throughput from durable progress, the same way for every system: poll how
// many messages are durably done (flushed to Redis, or committed by Kafka
// Streams), and time from the first progress seen to the last message. The
// first progress comes after a first flush or commit, so start-up (process
// start, group join, state load) stays out of the figure.
//
// The steady slice (issue 16, warm JIT): the messages done between the first
// poll that saw a quarter of them done and the first that saw nine tenths,
// over the time between those polls. A JIT's warm-up (the JVM's C2, V8's
// TurboFan) and the first fetches stay out of it, and so does the drain at
// the end (the last flush or commit after the last message, up to a flush
// interval with nothing left to do). Both systems are timed this way from
// the same watch, and each run reports both figures.

export interface ProgressRun {
  /** Messages done at the first poll that saw any. */
  firstDone: number;
  /** Wall time (ms) of that poll. */
  firstAt: number;
  /** Wall time (ms) of the first poll that saw every message done. */
  doneAt: number;
  total: number;
  /** (total - firstDone) / (doneAt - firstAt), per second. */
  messagesPerSecond: number;
  /** Messages done at the first poll that saw STEADY_FROM of them done, and its wall time (ms). */
  steadyDone: number;
  steadyAt: number;
  /** The same at the first poll that saw STEADY_TO of them done. */
  steadyEndDone: number;
  steadyEndAt: number;
  /** (steadyEndDone - steadyDone) / (steadyEndAt - steadyAt), per second: the steady slice (the whole run's rate when one poll saw both). */
  steadyMessagesPerSecond: number;
}

/** The steady slice starts once this share of the messages is done... */
export const STEADY_FROM = 0.25;
/** ...and ends once this share is. */
export const STEADY_TO = 0.9;

export interface WatchOptions {
  total: number;
  /** Messages done so far. */
  probe: () => Promise<number>;
  pollMs?: number;
  timeoutMs: number;
  /** Called when the watch gives up, to explain why (e.g. a worker's log). */
  explain?: () => string;
}

export async function watchProgress(opts: WatchOptions): Promise<ProgressRun> {
  const pollMs = opts.pollMs ?? 50;
  const deadline = Date.now() + opts.timeoutMs;
  let firstDone = 0;
  let firstAt = 0;
  let steadyDone = 0;
  let steadyAt = 0;
  let steadyEndDone = 0;
  let steadyEndAt = 0;
  let done = 0;
  while (Date.now() < deadline) {
    done = await opts.probe();
    const now = Date.now();
    if (done > 0 && firstAt === 0) {
      firstAt = now;
      firstDone = done;
    }
    if (done >= opts.total * STEADY_FROM && steadyAt === 0) {
      steadyAt = now;
      steadyDone = done;
    }
    if (done >= opts.total * STEADY_TO && steadyEndAt === 0) {
      steadyEndAt = now;
      steadyEndDone = done;
    }
    if (done >= opts.total) {
      // All done in the first poll that saw progress: no interval to time.
      const rate = (from: number, at: number, to: number, toAt: number) => (toAt > at ? (to - from) / ((toAt - at) / 1000) : Number.NaN);
      const whole = rate(firstDone, firstAt, opts.total, now);
      const steady = steadyEndAt > steadyAt ? rate(steadyDone, steadyAt, steadyEndDone, steadyEndAt) : whole;
      return { firstDone, firstAt, doneAt: now, total: opts.total, messagesPerSecond: whole, steadyDone, steadyAt, steadyEndDone, steadyEndAt, steadyMessagesPerSecond: steady };
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`progress: ${done} of ${opts.total} messages done after ${opts.timeoutMs} ms${opts.explain ? `\n${opts.explain()}` : ''}`);
}
