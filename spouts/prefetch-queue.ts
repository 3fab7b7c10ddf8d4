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
 * `push` waits for room (back-pressure on the fetcher), the batches being
 * handled counted.
 *
 * The batches of one partition number (of every topic read: a task reads
 * partition p of each of its inputs, so these are one task's) are handled
 * one at a time, in the order fetched; different numbers' at the same time,
 * so a task whose turn waits on a round trip (the states a slice folds into,
 * fetched from Redis) does not hold the others back. A turn takes every
 * batch of its topic and partition queued by then, handed over as one: the
 * round trip is paid once for all the records that piled up meanwhile, not
 * once per fetch. (Handed small batches one at a time, in one line for all
 * partitions, a worker at ~2,000 records a second spent three quarters of
 * its time waiting, and the queue stayed full.)
 *
 * After `stop` nothing more is handled: what was queued is dropped (the next
 * consumer starts from the tasks' own positions, so nothing is lost).
 */
export class PrefetchQueue {
  private readonly queue: QueuedBatch[] = [];
  private queuedBytes = 0;
  /** The partition numbers with a batch being handled, and its handling. */
  private readonly handling = new Map<number, Promise<void>>();
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
    this.startTurns();
    while (this.queuedBytes > this.maxBytes && !this.stopped) await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
  }

  /** Drops what is queued and resolves once the batches being handled (if any) are done. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.wakeWaiters();
    await Promise.all(this.handling.values());
  }

  /** Starts the turn of every partition number with batches queued and none being handled. */
  private startTurns(): void {
    for (let i = 0; i < this.queue.length && !this.stopped; ) {
      const key = this.queue[i]!.partition;
      if (this.handling.has(key)) {
        i++;
        continue;
      }
      // Takes queue[i] (and its partition's later batches) out: the next one is at i now.
      const batch = this.take(i);
      this.handling.set(key, this.turn(key, batch));
    }
  }

  private async turn(key: number, batch: QueuedBatch): Promise<void> {
    try {
      await this.handle(batch.topic, batch.partition, batch.messages);
    } catch (err) {
      // Surfaced by the next push, to the reader.
      this.failure = err;
    }
    this.handling.delete(key);
    if (this.stopped) return;
    this.queuedBytes -= batch.bytes;
    if (this.queuedBytes <= this.maxBytes) this.wakeWaiters();
    this.startTurns();
  }

  /** The batch queued at `at`, with every later one of its partition, as one batch (out of the queue; its bytes still counted). */
  private take(at: number): QueuedBatch {
    const [head] = this.queue.splice(at, 1) as [QueuedBatch];
    let merged: QueuedBatch | null = null;
    for (let i = at; i < this.queue.length; ) {
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
