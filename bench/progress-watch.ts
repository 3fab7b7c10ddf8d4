// Throughput from durable progress, the same way for every system: poll how
// many messages are durably done (flushed to Redis, or committed by Kafka
// Streams), and time from the first progress seen to the last message. The
// first progress comes after a first flush or commit, so start-up (process
// start, group join, state load) stays out of the figure.

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
}

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
  let done = 0;
  while (Date.now() < deadline) {
    done = await opts.probe();
    const now = Date.now();
    if (done > 0 && firstAt === 0) {
      firstAt = now;
      firstDone = done;
    }
    if (done >= opts.total) {
      // All done in the first poll that saw progress: no interval to time.
      const seconds = (now - firstAt) / 1000;
      const messagesPerSecond = seconds > 0 ? (opts.total - firstDone) / seconds : Number.NaN;
      return { firstDone, firstAt, doneAt: now, total: opts.total, messagesPerSecond };
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`progress: ${done} of ${opts.total} messages done after ${opts.timeoutMs} ms${opts.explain ? `\n${opts.explain()}` : ''}`);
}
