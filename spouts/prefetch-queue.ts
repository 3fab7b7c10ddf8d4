import type { InputRecord } from '../contracts/input-consumer';

export type BatchHandler = (topic: string, partition: number, records: InputRecord[]) => Promise<void> | void;

interface QueuedBatch {
  topic: string;
  partition: number;
  messages: InputRecord[];
  bytes: number;
}

/**
 * Fetched batches waiting to be handled. A reader that fetches again only
 * once every batch of the last fetch was handled leaves the worker idle
 * during each fetch and the broker during each fold; with this queue the
 * next fetch is in flight while this one is folded. Bounded by bytes:
 * `push` waits for room (back-pressure on the fetcher).
 *
 * Batches are handled one at a time, in the order fetched, except that a
 * batch's turn takes every later batch of its partition queued by then: they
 * are handed over as one. Each partition's records stay in order; only
 * partitions overtake one another, as they may between fetches anyway. A
 * handler whose turn waits on a round trip (the states a slice folds into,
 * fetched from Redis) then pays it once for all of a partition's records
 * that piled up meanwhile, not once per fetch: at ~2,000 records a second a
 * worker handed small batches one by one spent three quarters of its time
 * waiting, and the queue stayed full. After `stop`
 * nothing more is handled: what was queued is dropped (the next consumer
 * starts from the tasks' own positions, so nothing is lost).
 */
export class PrefetchQueue {
  private readonly queue: QueuedBatch[] = [];
  private queuedBytes = 0;
  private draining: Promise<void> | null = null;
  private roomWaiters: Array<() => void> = [];
  private failure: unknown = null;
  private stopped = false;

  constructor(
    private readonly handle: BatchHandler,
    private readonly maxBytes: number,
  ) {}

  /** Queues a batch; resolves once the queue has room again. Rethrows a failure of an earlier batch's handling. */
  async push(topic: string, partition: number, messages: InputRecord[]): Promise<void> {
    if (this.failure !== null) {
      const failure = this.failure;
      this.failure = null;
      throw failure;
    }
    if (this.stopped || messages.length === 0) return;
    let bytes = 0;
    for (const m of messages) bytes += m.value?.length ?? 0;
    this.queue.push({ topic, partition, messages, bytes });
    this.queuedBytes += bytes;
    this.draining ??= this.drain();
    while (this.queuedBytes > this.maxBytes && !this.stopped) await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
  }

  /** Drops what is queued and resolves once the batch being handled (if any) is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.wakeWaiters();
    await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      while (!this.stopped && this.queue.length > 0) {
        // Still counted in queuedBytes while it is handled: the fetcher waits for that room too.
        const batch = this.takeNext();
        try {
          await this.handle(batch.topic, batch.partition, batch.messages);
        } catch (err) {
          // Surfaced by the next push, to the reader.
          this.failure = err;
        }
        if (this.stopped) return;
        this.queuedBytes -= batch.bytes;
        if (this.queuedBytes <= this.maxBytes) this.wakeWaiters();
      }
    } finally {
      this.draining = null;
    }
  }

  /** The first batch queued, and every later one of its partition, as one batch. */
  private takeNext(): QueuedBatch {
    const head = this.queue.shift()!;
    let merged: QueuedBatch | null = null;
    for (let i = 0; i < this.queue.length; ) {
      const b = this.queue[i]!;
      if (b.topic !== head.topic || b.partition !== head.partition) {
        i++;
        continue;
      }
      merged ??= { ...head, messages: [...head.messages] };
      for (const m of b.messages) merged.messages.push(m);
      merged.bytes += b.bytes;
      this.queue.splice(i, 1);
    }
    return merged ?? head;
  }

  private wakeWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }
}
