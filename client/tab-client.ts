// TabClient: how an application records Tab events into Kafka in the wire
// format (DESIGN.md, "Event wire format"). Events are buffered per Tab and
// sent as one Kafka message per batch (key = Tab name, value = JSON array of
// that Tab's events) by @platformatic/kafka's idempotent producer, placed as
// Kafka's Java client places a keyed record (murmur2), so every producer keyed
// by Tab puts a Tab on the same partition. A partition whose leader moves is
// sent again (client/resend.ts) until `retry.deadlineMs`.
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { kOptions, Producer, type SASLOptions } from '@platformatic/kafka';
import { BufferOverflowError, TabSendError } from './errors';
import { EventIdGenerator } from './event-ids';
import { kafkaDefaultPartitioner } from './partition-for-key';
import { bootstrapBrokers } from './bootstrap-brokers';
import { DEFAULT_RESEND, KafkaSendError, RESEND_PRODUCER_OPTIONS, sendWithResend, type ResendPolicy } from './resend';
import { batchValue, TabBatchQueue, type TabBatch } from './tab-batch-queue';
import { CounterRecorder, TabRecorder } from './tab-recorder';
import { assertWireName } from './wire-names';

export interface TabClientOptions {
  /** Kafka bootstrap brokers, as a list or a comma-separated string. Default: `TABSTREAM_BROKERS`, else 127.0.0.1:9092 (the local stack). */
  brokers?: string[] | string;
  /** Default 'tabs'. */
  topic?: string;
  /** The wire `client` field: who produced the events. */
  clientId: string;
  /** How often buffered events are sent. Default 100 ms. */
  flushIntervalMs?: number;
  /** A Tab's batch is sent as soon as it holds this many events. Default 500. */
  maxBatchEvents?: number;
  /** Events buffered (queued or awaiting Kafka's ack) before record() overflows. Default 100_000. */
  maxBufferedEvents?: number;
  /** On overflow, throw BufferOverflowError ('error', default) or drop the event and count it ('drop'). */
  onOverflow?: 'error' | 'drop';
  /** Kafka connection settings: TLS, SASL, timeouts, the Kafka client id. */
  kafka?: TabClientKafkaOptions;
  /** How often a send is tried again before it fails, how long between tries, and how long a partition whose leader moves is sent again. Default 5 retries, 300 ms doubling up to 30 s, 30 s. */
  retry?: TabClientRetry;
  /** Let the broker create a missing topic (with its default partition count). Default false. */
  allowAutoTopicCreation?: boolean;
  /** Called when a background (timer or size triggered) send fails; the events stay buffered. */
  onSendError?: (error: TabSendError) => void;
}

/** Connection settings of the producer (@platformatic/kafka's, passed through). */
export interface TabClientKafkaOptions {
  /** The Kafka client id the brokers see (not the wire `client` field). Default `tabstream-<clientId>`. */
  clientId?: string;
  tls?: TlsOptions;
  sasl?: SASLOptions;
  /** A broker not connected within this fails the try, ms. Default 5000. */
  connectTimeout?: number;
  /** A request unanswered this long fails the try, ms. Default 30000. */
  requestTimeout?: number;
}

/** Retries of one send; the delay doubles from `initialRetryTime` up to `maxRetryTime`. */
export interface TabClientRetry {
  /** Default 5. */
  retries?: number;
  /** Default 300 ms. */
  initialRetryTime?: number;
  /** Default 30000 ms. */
  maxRetryTime?: number;
  /**
   * A partition whose leader moved (a broker lost), or whose try timed out,
   * is sent again on fresh metadata until this long after the send began;
   * then the send fails (TabSendError) and the next flush sends the events
   * again. Events carry ids, so a duplicate is dropped. Default 30000 ms.
   */
  deadlineMs?: number;
}

export interface TabClientStats {
  /** Events accepted by record(). recorded = sent + buffered. */
  recorded: number;
  /** Events Kafka acknowledged. */
  sent: number;
  /** Events refused on overflow with onOverflow 'drop' (never part of recorded). */
  dropped: number;
  /** Events accepted and not yet acknowledged. */
  buffered: number;
  /** Buffered events whose last send failed; the next flush sends them again. */
  failed: number;
  /** Kafka messages (batches) acknowledged. */
  batchesSent: number;
  /** Sends that failed after the producer's retries. */
  sendErrors: number;
}

/** Value kinds of the built-in Tab types; other (plugged-in) types may carry either. */
const VALUE_KIND: Record<string, 'number' | 'string'> = {
  counter: 'number',
  gauge: 'number',
  percentile: 'number',
  unique: 'string',
  buffer: 'number',
};

/** Kafka refuses a record batch over message.max.bytes (1 MiB by default); stay under it. */
const MAX_BATCH_BYTES = 256 * 1024;
const MAX_REQUEST_BYTES = 900 * 1024;

export class TabClient {
  readonly topic: string;
  readonly clientId: string;
  private readonly options: TabClientOptions;
  private readonly brokers: string[];
  private readonly queue: TabBatchQueue;
  private readonly ids: EventIdGenerator;
  private readonly recorders = new Map<string, unknown>();
  private producer: Producer<Buffer, Buffer, Buffer, Buffer> | undefined;
  /** Places records as the producer would (one per client: it keeps the round-robin position). */
  private readonly partitioner = kafkaDefaultPartitioner();
  private readonly resend: ResendPolicy;
  /** After a send finally failed: start a fresh producer (see resetProducer). */
  private producerNeedsReset = false;
  private state: 'new' | 'connected' | 'closing' | 'closed' = 'new';
  private timer: NodeJS.Timeout | undefined;
  /** Sends run one at a time, in order, so a failed batch is requeued before the next send. */
  private sendChain: Promise<void> = Promise.resolve();
  private fullSendScheduled = false;
  private counts = { recorded: 0, sent: 0, dropped: 0, batchesSent: 0, sendErrors: 0 };

  constructor(options: TabClientOptions) {
    assertWireName('client id', options.clientId);
    this.options = options;
    this.clientId = options.clientId;
    this.topic = options.topic ?? 'tabs';
    const positive = (name: keyof TabClientOptions, fallback: number): number => {
      const value = (options[name] as number | undefined) ?? fallback;
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
      return value;
    };
    positive('flushIntervalMs', 100);
    positive('maxBufferedEvents', 100_000);
    this.queue = new TabBatchQueue({ maxBatchEvents: positive('maxBatchEvents', 500), maxBatchBytes: MAX_BATCH_BYTES });
    this.ids = new EventIdGenerator(options.clientId);
    this.brokers = bootstrapBrokers(options.brokers);
    const retries = options.retry?.retries ?? 5;
    if (!Number.isInteger(retries) || retries < 0) throw new RangeError(`retry.retries must be a non-negative integer, got ${retries}`);
    const deadlineMs = options.retry?.deadlineMs ?? DEFAULT_RESEND.deadlineMs;
    if (!Number.isFinite(deadlineMs) || deadlineMs < 0) throw new RangeError(`retry.deadlineMs must be a non-negative number, got ${deadlineMs}`);
    // Events carry ids: a send again after a timeout may duplicate them, and the dedup window drops the copy.
    this.resend = { ...DEFAULT_RESEND, deadlineMs, resendMaybeWritten: true };
  }

  /** Connects to Kafka and takes an idempotent producer id; rejects if Kafka does not answer. */
  async connect(): Promise<void> {
    if (this.state !== 'new') throw new Error(`TabClient ${this.clientId} is already ${this.state}`);
    this.producer = await this.newProducer();
    this.state = 'connected';
    this.scheduleTick();
  }

  counter(name: string): CounterRecorder {
    return this.recorder(name, 'counter', () => new CounterRecorder(name, 'counter', this.sink));
  }

  gauge(name: string): TabRecorder<number> {
    return this.tab(name, 'gauge');
  }

  percentile(name: string): TabRecorder<number> {
    return this.tab(name, 'percentile');
  }

  unique(name: string): TabRecorder<string> {
    return this.tab(name, 'unique');
  }

  buffer(name: string): TabRecorder<number> {
    return this.tab(name, 'buffer');
  }

  /** A recorder for any Tab type, including plugged-in handler types. */
  tab<V extends number | string = number | string>(name: string, type: string): TabRecorder<V> {
    if (type === 'counter') return this.counter(name) as unknown as TabRecorder<V>;
    return this.recorder(name, type, () => new TabRecorder<V>(name, type, this.sink));
  }

  /** Sends everything recorded before this call; resolves once Kafka acknowledged it. */
  async flush(): Promise<void> {
    if (this.state === 'new' && this.queue.buffered > 0) throw new Error('TabClient.flush(): call connect() first');
    const before = this.queue.nextSeq;
    for (;;) {
      const oldest = this.queue.oldestSeq();
      if (oldest === undefined || oldest >= before) return;
      await this.sendRound('all');
    }
  }

  /**
   * Refuses new events, flushes, then disconnects. If the flush fails the
   * client stays open and keeps retrying in the background, so nothing is
   * lost: call close() again.
   */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    if (this.state === 'new') {
      if (this.queue.buffered > 0) throw new Error(`TabClient.close(): ${this.queue.buffered} events recorded but never connected`);
      this.state = 'closed';
      return;
    }
    this.state = 'closing';
    try {
      await this.flush();
      await this.sendChain; // a background round may still be in flight
    } catch (error) {
      this.state = 'connected';
      throw error;
    }
    this.state = 'closed';
    clearTimeout(this.timer);
    await this.producer!.close();
  }

  stats(): TabClientStats {
    return { ...this.counts, buffered: this.queue.buffered, failed: this.queue.failed };
  }

  private recorder<R>(name: string, type: string, create: () => R): R {
    const key = `${type}\u0000${name}`;
    let recorder = this.recorders.get(key) as R | undefined;
    if (!recorder) {
      assertWireName('Tab name', name);
      assertWireName('Tab type', type);
      recorder = create();
      this.recorders.set(key, recorder);
    }
    return recorder;
  }

  private readonly sink = (tab: string, type: string, value: number | string, time: number | undefined): void => {
    if (this.state === 'closing' || this.state === 'closed') throw new Error(`TabClient ${this.clientId} is ${this.state}`);
    checkValue(tab, type, value);
    if (time !== undefined && !Number.isSafeInteger(time)) {
      throw new TypeError(`Tab ${tab}: time must be integer epoch milliseconds, got ${time}`);
    }
    const maxBuffered = this.options.maxBufferedEvents ?? 100_000;
    if (this.queue.buffered >= maxBuffered) {
      if (this.options.onOverflow === 'drop') {
        this.counts.dropped++;
        return;
      }
      throw new BufferOverflowError(tab, maxBuffered);
    }
    const json = JSON.stringify({ tab, type, value, time: time ?? Date.now(), client: this.clientId, id: this.ids.next() });
    if (Buffer.byteLength(json) > MAX_BATCH_BYTES - 2) {
      throw new RangeError(`Tab ${tab}: event of ${Buffer.byteLength(json)} bytes exceeds the ${MAX_BATCH_BYTES - 2} byte limit`);
    }
    this.counts.recorded++;
    if (this.queue.add(tab, json)) this.scheduleFullSend();
  };

  /** A Tab's batch is full: send full batches soon, without waiting for the timer. */
  private scheduleFullSend(): void {
    if (this.fullSendScheduled || this.state !== 'connected') return;
    this.fullSendScheduled = true;
    setImmediate(() => {
      this.fullSendScheduled = false;
      this.sendRound('full').catch((error: TabSendError) => this.options.onSendError?.(error));
    });
  }

  private scheduleTick(): void {
    this.timer = setTimeout(() => {
      this.flush()
        .catch((error: TabSendError) => this.options.onSendError?.(error))
        .finally(() => {
          if (this.state !== 'closed') this.scheduleTick();
        });
    }, this.options.flushIntervalMs ?? 100);
  }

  /** One producer request, queued behind the one in flight. */
  private sendRound(mode: 'full' | 'all'): Promise<void> {
    const round = this.sendChain.then(() => this.sendBatches(this.queue.take(mode, MAX_REQUEST_BYTES)));
    this.sendChain = round.catch(() => undefined);
    return round;
  }

  private async sendBatches(batches: TabBatch[]): Promise<void> {
    if (batches.length === 0) return;
    try {
      if (this.producerNeedsReset) await this.resetProducer();
      const messages = batches.map((batch) => ({ topic: this.topic, key: Buffer.from(batch.tab), value: Buffer.from(batchValue(batch)) }));
      await sendWithResend(this.producer!, messages, this.partitioner, this.resend);
    } catch (error) {
      // The partitions that were acknowledged leave the buffer; the others go back to it.
      const acked = error instanceof KafkaSendError ? batches.filter((_, i) => error.acked.has(i)) : [];
      this.ack(acked);
      this.counts.sendErrors++;
      this.producerNeedsReset = true;
      throw new TabSendError(this.queue.requeue(batches.filter((b) => !acked.includes(b))), error);
    }
    this.ack(batches);
  }

  private ack(batches: TabBatch[]): void {
    this.counts.sent += this.queue.acked(batches);
    this.counts.batchesSent += batches.length;
  }

  private async newProducer(): Promise<Producer<Buffer, Buffer, Buffer, Buffer>> {
    const { retries = 5, initialRetryTime = 300, maxRetryTime = 30_000 } = this.options.retry ?? {};
    const producer = new Producer<Buffer, Buffer, Buffer, Buffer>({
      clientId: `tabstream-${this.clientId}`,
      ...this.options.kafka,
      bootstrapBrokers: this.brokers,
      // Idempotent, acks all, one request in flight: the broker keeps each partition's sequence numbers in order.
      ...RESEND_PRODUCER_OPTIONS,
      partitioner: kafkaDefaultPartitioner(),
      autocreateTopics: this.options.allowAutoTopicCreation ?? false,
      retries,
      retryDelay: (_client, _operation, attempt) => Math.min(initialRetryTime * 2 ** Math.max(0, attempt - 1), maxRetryTime),
    });
    // The library's constructor makes an idempotent producer's retries of 0 or 1 endless (and `true`
    // is endless too): set the number asked for after it.
    (producer[kOptions] as { retries: number }).retries = retries;
    try {
      await producer.initIdempotentProducer({});
    } catch (error) {
      await producer.close().catch(() => undefined);
      throw error;
    }
    return producer;
  }

  /**
   * A send that failed after all retries may still have been written on some
   * partitions, and its events are re-cut into new batches, so the old
   * producer's sequence numbers no longer match what the broker holds. A new
   * producer (new producer id) starts clean; anything written twice carries
   * the same event ids, which the dedup window drops.
   */
  private async resetProducer(): Promise<void> {
    const old = this.producer!;
    this.producer = await this.newProducer();
    this.producerNeedsReset = false;
    await old.close().catch(() => undefined);
  }
}

function checkValue(tab: string, type: string, value: unknown): void {
  const kind = VALUE_KIND[type];
  const isNumber = typeof value === 'number' && Number.isFinite(value);
  const ok = kind === 'number' ? isNumber : kind === 'string' ? typeof value === 'string' : isNumber || typeof value === 'string';
  if (!ok) {
    const expected = kind === 'string' ? 'a string' : kind === 'number' ? 'a finite number' : 'a finite number or a string';
    throw new TypeError(`Tab ${tab} (${type}): value must be ${expected}, got ${JSON.stringify(value) ?? String(value)}`);
  }
}
