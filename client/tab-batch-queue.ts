// The TabClient's buffer: a FIFO of serialized events per Tab, cut into
// batches (one Kafka message each) by count and bytes, taken round-robin
// across Tabs so a hot Tab cannot starve the others. Pure bookkeeping, no I/O.
//
// An event is "buffered" from add() until its batch is acked; a batch that
// failed goes back to the front of its Tab's queue, so per-Tab order holds.

export interface QueuedEvent {
  /** Position in the order events were added, for flush(). */
  readonly seq: number;
  readonly json: string;
  readonly bytes: number;
  /** Sends of this event that failed so far. */
  failedSends: number;
}

export interface TabBatch {
  readonly tab: string;
  readonly events: QueuedEvent[];
  /** Size of the batch as a JSON array: the Kafka message value. */
  readonly bytes: number;
}

export interface BatchLimits {
  maxBatchEvents: number;
  maxBatchBytes: number;
}

interface TabQueue {
  events: QueuedEvent[];
  bytes: number;
}

export class TabBatchQueue {
  /** Insertion order is the round-robin order: a Tab served goes to the back. */
  private readonly queues = new Map<string, TabQueue>();
  private readonly inFlight = new Set<TabBatch>();
  private queuedEvents = 0;
  private inFlightEvents = 0;
  private failedEvents = 0;
  private seq = 0;

  constructor(private readonly limits: BatchLimits) {}

  /** Events added and not yet acked (queued or in flight). */
  get buffered(): number {
    return this.queuedEvents + this.inFlightEvents;
  }

  /** Buffered events whose last send failed. */
  get failed(): number {
    return this.failedEvents;
  }

  /** The seq the next added event will get; flush() waits for everything before it. */
  get nextSeq(): number {
    return this.seq;
  }

  /** Queues one serialized event; returns true when its Tab now has a full batch waiting. */
  add(tab: string, json: string): boolean {
    let queue = this.queues.get(tab);
    if (!queue) {
      queue = { events: [], bytes: 0 };
      this.queues.set(tab, queue);
    }
    const bytes = Buffer.byteLength(json);
    queue.events.push({ seq: this.seq++, json, bytes, failedSends: 0 });
    queue.bytes += bytes;
    this.queuedEvents++;
    return this.isFull(queue);
  }

  /**
   * Takes batches to send in one request, at most `maxRequestBytes` of them
   * (but always one, if any): every Tab's batches ('all'), or only batches
   * that reached a limit ('full'). They stay buffered until acked or requeued.
   */
  take(mode: 'full' | 'all', maxRequestBytes: number): TabBatch[] {
    const batches: TabBatch[] = [];
    let requestBytes = 0;
    let tookAny = true;
    while (tookAny) {
      tookAny = false;
      for (const [tab, queue] of [...this.queues]) {
        if (mode === 'full' && !this.isFull(queue)) continue;
        const batch = this.cutBatch(tab, queue);
        if (batches.length > 0 && requestBytes + batch.bytes > maxRequestBytes) return batches;
        this.removeFront(tab, queue, batch);
        batches.push(batch);
        requestBytes += batch.bytes;
        tookAny = true;
      }
    }
    return batches;
  }

  /** Kafka acknowledged these batches: they leave the buffer. */
  acked(batches: TabBatch[]): number {
    let events = 0;
    for (const batch of batches) {
      if (!this.inFlight.delete(batch)) continue;
      events += batch.events.length;
      for (const event of batch.events) if (event.failedSends > 0) this.failedEvents--;
    }
    this.inFlightEvents -= events;
    return events;
  }

  /** Sending these batches failed: back to the front of their Tabs' queues, in order. */
  requeue(batches: TabBatch[]): number {
    let events = 0;
    for (const batch of [...batches].reverse()) {
      if (!this.inFlight.delete(batch)) continue;
      events += batch.events.length;
      for (const event of batch.events) if (event.failedSends++ === 0) this.failedEvents++;
      const queue = this.queues.get(batch.tab) ?? { events: [], bytes: 0 };
      queue.events.unshift(...batch.events);
      queue.bytes += batch.events.reduce((sum, e) => sum + e.bytes, 0);
      this.queues.set(batch.tab, queue);
    }
    this.inFlightEvents -= events;
    this.queuedEvents += events;
    return events;
  }

  /** The smallest seq still buffered (queued or in flight), or undefined when empty. */
  oldestSeq(): number | undefined {
    let oldest: number | undefined;
    const consider = (events: QueuedEvent[]) => {
      if (events.length > 0 && (oldest === undefined || events[0].seq < oldest)) oldest = events[0].seq;
    };
    for (const queue of this.queues.values()) consider(queue.events);
    for (const batch of this.inFlight) consider(batch.events);
    return oldest;
  }

  private isFull(queue: TabQueue): boolean {
    return queue.events.length >= this.limits.maxBatchEvents || queue.bytes >= this.limits.maxBatchBytes;
  }

  /** The next batch from the front of a queue: up to maxBatchEvents and maxBatchBytes, at least one event. */
  private cutBatch(tab: string, queue: TabQueue): TabBatch {
    let count = 0;
    let bytes = 2; // the array's brackets
    for (const event of queue.events) {
      if (count === this.limits.maxBatchEvents) break;
      const added = event.bytes + (count > 0 ? 1 : 0); // a comma between events
      if (count > 0 && bytes + added > this.limits.maxBatchBytes) break;
      bytes += added;
      count++;
    }
    return { tab, events: queue.events.slice(0, count), bytes };
  }

  private removeFront(tab: string, queue: TabQueue, batch: TabBatch): void {
    queue.events.splice(0, batch.events.length);
    queue.bytes -= batch.events.reduce((sum, e) => sum + e.bytes, 0);
    this.queuedEvents -= batch.events.length;
    this.inFlightEvents += batch.events.length;
    this.inFlight.add(batch);
    this.queues.delete(tab);
    if (queue.events.length > 0) this.queues.set(tab, queue); // to the back: round-robin
  }
}

/** A batch's Kafka message value: the JSON array of its events. */
export function batchValue(batch: TabBatch): string {
  return `[${batch.events.map((e) => e.json).join(',')}]`;
}
