// One retry policy for the runtime (after KafkaJS's `retry`): exponential
// backoff from `initialMs`, capped at `maxMs`, with jitter so that workers
// that failed together (a service came back) do not retry in step; and an
// error that says it is not retriable (`retriable: false`, the typed errors'
// flag) is not retried at all. Pure: the clock, the randomness and the sleep
// are injected, so the logic is unit-tested without timers.

export interface RetryPolicy {
  /** The delay before the first retry. */
  initialMs: number;
  /** No delay is longer than this. */
  maxMs: number;
  /** Each retry waits this many times the one before (before the cap); 2 unless said. */
  factor?: number;
  /** Up to this share of a delay is taken off at random (0: none, 1: anywhere in 0..delay); 0.2 unless said. */
  jitter?: number;
}

/** Randomness in [0, 1), as Math.random. */
export type Random = () => number;

/** Whether trying again may help: an error has to say it will not (`retriable: false`). */
export function isRetriable(err: unknown): boolean {
  return typeof err !== 'object' || err === null || (err as { retriable?: unknown }).retriable !== false;
}

/**
 * The delay before retry number `attempt` (0 for the first): the capped
 * exponential delay, less up to `jitter` of it at random. Never above the cap,
 * never negative.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: Random = Math.random): number {
  const { initialMs, maxMs, factor = 2, jitter = 0.2 } = policy;
  const exponential = Math.min(maxMs, initialMs * factor ** Math.max(0, attempt));
  return Math.max(0, Math.round(exponential * (1 - jitter * random())));
}

/**
 * The retries of one thing that fails now and then (a partition's checkpoint,
 * a topology's assignment): how many failures in a row, and when the next try
 * is due. `succeeded` starts over.
 */
export class Backoff {
  private failures = 0;
  private dueAt = 0;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly random: Random = Math.random,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Failures in a row so far. */
  get attempts(): number {
    return this.failures;
  }

  /** Records a failure: the delay until the next try. */
  failed(): number {
    const delay = backoffDelay(this.policy, this.failures, this.random);
    this.failures++;
    this.dueAt = this.clock() + delay;
    return delay;
  }

  succeeded(): void {
    this.failures = 0;
    this.dueAt = 0;
  }

  /** Whether the next try may run now. */
  get due(): boolean {
    return this.clock() >= this.dueAt;
  }
}

export interface RetryOptions {
  random?: Random;
  sleep?: (ms: number) => Promise<void>;
  /** Checked before each retry: false gives up (returns the last error). */
  shouldRetry?: () => boolean;
  /** Called after each failure that will be retried, with the delay before the retry. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** The most retries; unbounded unless said. */
  retries?: number;
  /** Which errors are tried again; `isRetriable` unless said. */
  retriable?: (err: unknown) => boolean;
}

/**
 * Runs `fn` until it succeeds, waiting `backoffDelay` between tries. Rejects
 * at once with an error that is not retriable, with the last error once
 * `retries` are spent, or when `shouldRetry` says to stop.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy, opts: RetryOptions = {}): Promise<T> {
  const { random = Math.random, sleep = defaultSleep, shouldRetry = () => true, onRetry, retries = Infinity, retriable = isRetriable } = opts;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!retriable(err) || attempt >= retries || !shouldRetry()) throw err;
      const delay = backoffDelay(policy, attempt, random);
      onRetry?.(err, attempt, delay);
      await sleep(delay);
      if (!shouldRetry()) throw err;
    }
  }
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
