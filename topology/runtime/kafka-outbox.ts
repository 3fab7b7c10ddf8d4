import { Producer, type MessageToProduce } from '@platformatic/kafka';
import { kafkaDefaultPartitioner } from '../../client/partition-for-key';
import { DEFAULT_RESEND, RESEND_PRODUCER_OPTIONS, sendWithResend, type ResendPolicy } from '../../client/resend';
import { KafkaConnection } from '../../spouts/kafka-connection';
import { isRetriable, isTooLarge, needsNewProducer } from '../../client/send-failure';
import type { Outbox, OutboxMessage } from './outbox';

export { isRetriable, isTooLarge, needsNewProducer };

/**
 * Bytes of records per send: well under Kafka's default limit of 1 MiB per
 * record batch (`message.max.bytes`), which a send to one partition is. A
 * broker or topic configured lower is learnt from its refusals.
 */
export const MAX_SEND_BYTES = 768 * 1024;
/** Sends are never planned smaller than this, however low a broker's limit seemed. */
const MIN_SEND_BYTES = 16 * 1024;
/** A record refused even alone is cut to at most this share of its size, again and again... */
const TRUNCATE_FACTOR = 0.5;
/** ...down to this; a record refused at this size is dropped (and counted): nothing stalls. */
const MIN_TRUNCATED_BYTES = 1024;
/** Header values of a truncated copy keep at most this many chars each. */
const MAX_TRUNCATED_HEADER_CHARS = 1024;

/** The header a truncated copy carries: the size of the value it was cut from. */
export const TRUNCATED_FROM_HEADER = 'tabstream-truncated-from';

/** Bytes of a record batch that are not records (v2 format: offset, length, epoch, magic, crc, attributes, ...). */
const RECORD_BATCH_OVERHEAD = 61;
/** Per send: the produce request's own fields, topic names and partitions, with room to spare. */
const REQUEST_OVERHEAD = 1024;

/** Bytes of a varint holding `n` (zigzag-encoded, as Kafka's record format writes lengths). */
function varintBytes(n: number): number {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  let bytes = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    bytes++;
  }
  return bytes;
}

function lengthPrefixed(value: string | Buffer | null | undefined): number {
  if (value === null || value === undefined) return varintBytes(-1);
  const n = typeof value === 'string' ? Buffer.byteLength(value) : value.length;
  return varintBytes(n) + n;
}

/**
 * What a message costs in a Kafka record batch (record format v2, no
 * compression), at most: its key, value, every header key and value (UTF-8),
 * their length prefixes, and the record's own fields at their widest
 * (timestamp delta up to 10 bytes, offset delta and length up to 5).
 */
export function recordBytes(m: Pick<OutboxMessage, 'key' | 'value' | 'headers'>): number {
  let body = 1 /* attributes */ + 10 /* timestamp delta */ + 5 /* offset delta */ + lengthPrefixed(m.key) + lengthPrefixed(m.value);
  let headers = 0;
  if (m.headers !== undefined) {
    for (const key in m.headers) {
      if (!Object.hasOwn(m.headers, key)) continue;
      body += lengthPrefixed(key) + lengthPrefixed(m.headers[key]);
      headers++;
    }
  }
  body += varintBytes(headers);
  return varintBytes(body) + body;
}

/** Bytes a send of these records takes at most, as Kafka counts them. */
export function sendBytes(messages: readonly OutboxMessage[]): number {
  let bytes = REQUEST_OVERHEAD + RECORD_BATCH_OVERHEAD;
  for (const m of messages) bytes += recordBytes(m);
  return bytes;
}

/** How many messages from the head of `buffer` one send may carry: at least one, at most `maxRecords`, within `maxBytes`. */
export function headBatchLength(buffer: readonly OutboxMessage[], maxRecords: number, maxBytes: number): number {
  let bytes = REQUEST_OVERHEAD + RECORD_BATCH_OVERHEAD;
  let n = 0;
  while (n < buffer.length && n < maxRecords) {
    const size = recordBytes(buffer[n]!);
    if (n > 0 && bytes + size > maxBytes) break;
    bytes += size;
    n++;
  }
  return n;
}

/**
 * A copy of `m` that fits in `maxBytes`: its value cut to what is left once
 * the key and headers (each cut to 1024 chars) are counted, and a
 * `tabstream-truncated-from` header with the original value's size.
 */
export function truncatedCopy(m: OutboxMessage, maxBytes: number): OutboxMessage {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    if (k !== TRUNCATED_FROM_HEADER) headers[k] = v.length > MAX_TRUNCATED_HEADER_CHARS ? v.slice(0, MAX_TRUNCATED_HEADER_CHARS) : v;
  }
  headers[TRUNCATED_FROM_HEADER] = m.headers?.[TRUNCATED_FROM_HEADER] ?? String(m.value.length);
  const bare = recordBytes({ key: m.key, value: Buffer.alloc(0), headers });
  // A shorter value may shorten its length prefix too: leave the prefix's widest (5 bytes) out of the room.
  const room = Math.max(0, Math.min(m.value.length, maxBytes - bare - 5));
  return { ...m, value: m.value.subarray(0, room), headers };
}

/** A send the outbox could not complete; `retriable` says whether trying the same records again may help. */
export class OutboxSendError extends Error {
  readonly retriable: boolean;

  constructor(override readonly cause: unknown) {
    super(`outbox send failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'OutboxSendError';
    this.retriable = isRetriable(cause);
  }
}

/** A record for a partition its topic does not have (the library would wrap it onto another one). */
export class PartitionOutOfRangeError extends Error {
  readonly retriable = false;

  constructor(readonly topic: string, readonly partition: number, readonly partitions: number | undefined) {
    super(`topic ${topic} has ${partitions ?? 'no'} partitions: no partition ${partition}`);
    this.name = 'PartitionOutOfRangeError';
  }
}

/** What the outbox did about records the broker refused as too large (for metrics and logs). */
export interface OutboxStats {
  /** Sends refused as too large and split. */
  splits: number;
  /** Records refused even alone and replaced by a truncated copy. */
  truncated: number;
  /** Records refused even when cut to 1 KiB, dropped so the rest moves on. */
  dropped: number;
  /** The bytes a send is planned with now (lowered by refusals). */
  maxSendBytes: number;
}

/** What the outbox uses of @platformatic/kafka's Producer (a fake in unit tests). */
export interface OutboxProducer {
  /** Connects and takes a producer id. */
  initIdempotentProducer(options: Record<string, never>): Promise<unknown>;
  send(options: { messages: MessageToProduce<Buffer, Buffer, Buffer, Buffer>[] }): Promise<unknown>;
  metadata(options: { topics: string[]; forceUpdate?: boolean }): Promise<{ topics: Map<string, { partitionsCount: number } | undefined> }>;
  close(): Promise<void>;
}

export type OutboxProducerFactory = () => OutboxProducer;

/** A send's tries within the producer: back soon after a broker is (100 ms doubling to 1 s, about 6 s in all). */
const SEND_RETRIES = 8;
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 1000;
/**
 * A partition whose leader moved is sent again (nothing of it was written)
 * for up to 10 s, within one checkpoint round; what may have been written is
 * left to the next round (OutboxSendError), which sends the same records again.
 */
export const OUTBOX_RESEND: ResendPolicy = { ...DEFAULT_RESEND, deadlineMs: 10_000 };

/**
 * Idempotent producers (acks all, one request in flight) on a connection,
 * placing records as Kafka's Java client does.
 */
export function outboxProducers(connection: KafkaConnection, clientId = 'tabstream-outbox'): OutboxProducerFactory {
  return () =>
    new Producer<Buffer, Buffer, Buffer, Buffer>({
      ...connection.clientOptions(clientId),
      ...RESEND_PRODUCER_OPTIONS,
      partitioner: kafkaDefaultPartitioner(),
      autocreateTopics: false,
      // The library makes an idempotent producer's retries endless unless told otherwise.
      retries: SEND_RETRIES,
      retryDelay: (_client, _operation, attempt) => Math.min(RETRY_FIRST_MS * 2 ** Math.max(0, attempt - 1), RETRY_MAX_MS),
    }) as unknown as OutboxProducer;
}

/** Kafka's wire form of a message: bytes everywhere, headers as a Map (the library hangs on a plain object). */
function toProduce(m: OutboxMessage): MessageToProduce<Buffer, Buffer, Buffer, Buffer> {
  const headers = new Map<Buffer, Buffer>();
  if (m.headers !== undefined) {
    for (const key in m.headers) if (Object.hasOwn(m.headers, key)) headers.set(Buffer.from(key), Buffer.from(m.headers[key]!));
  }
  return {
    topic: m.topic,
    ...(m.partition !== undefined && { partition: m.partition }),
    ...(m.key !== null && { key: Buffer.from(m.key) }),
    value: m.value,
    headers,
  };
}

/**
 * Repartitioned tuples and dead letters on their way into Kafka. One send is
 * in flight at a time, on an idempotent producer, and a failed send is
 * retried before anything after it: envelopes reach each partition in the
 * order their sources were read, which the receivers' offset dedup needs.
 *
 * A send is sized by what Kafka counts (headers included) and kept under the
 * broker's limit. A send the broker refuses as too large is never retried as
 * it was: it is split (the planned size halves), down to one record, and a
 * record refused alone goes as a truncated copy (`tabstream-truncated-from`),
 * so nothing stalls. A partition whose leader moved is sent again within the
 * drain (client/resend.ts, OUTBOX_RESEND). Other failures reject `drain` with
 * an OutboxSendError that says whether retrying may help; the records stay at
 * the head, and the next try sends exactly them again. The library gives a
 * failed send's producer a new id, so a record the broker did write may land
 * twice: receivers drop a re-sent envelope (by its source offset), and dead
 * letters are at-least-once.
 */
export class KafkaOutbox implements Outbox {
  private buffer: OutboxMessage[] = [];
  private sending: Promise<void> | null = null;
  private readonly newProducer: OutboxProducerFactory;
  private producer: OutboxProducer;
  private connected = false;
  /** Whether `producer` (renewed after a refusal) is connected yet. */
  private producerReady = false;
  /** After a split: the most records the next send of the head carries; after a failure: exactly those again. */
  private headRecords = Infinity;
  /** Truncated copies this outbox made (a copy cut again is not counted again). */
  private readonly copies = new WeakSet<OutboxMessage>();
  /** Places records without a partition (dead letters) as the producer would. */
  private readonly partitioner = kafkaDefaultPartitioner();
  readonly stats: OutboxStats;

  constructor(
    producers: KafkaConnection | OutboxProducerFactory,
    private readonly maxBatch = 5_000,
    maxSendBytes = MAX_SEND_BYTES,
    private readonly resend: ResendPolicy = OUTBOX_RESEND,
  ) {
    this.newProducer = producers instanceof KafkaConnection ? outboxProducers(producers) : producers;
    this.producer = this.newProducer();
    this.stats = { splits: 0, truncated: 0, dropped: 0, maxSendBytes };
  }

  get buffered(): number {
    return this.buffer.length;
  }

  async connect(): Promise<void> {
    await this.producer.initIdempotentProducer({});
    this.producerReady = true;
    this.connected = true;
  }

  push(message: OutboxMessage): void {
    this.buffer.push(message);
    if (this.buffer.length >= this.maxBatch && this.sending === null) void this.drain().catch(() => {});
  }

  /** Resolves once everything pushed so far is acknowledged by Kafka; rejects (OutboxSendError) if a send fails. */
  async drain(): Promise<void> {
    while (this.sending !== null) await this.sending.catch(() => {});
    while (this.buffer.length > 0) {
      this.sending = this.sendHead();
      try {
        await this.sending;
      } finally {
        this.sending = null;
      }
    }
  }

  async close(): Promise<void> {
    if (this.connected && this.producerReady) await this.producer.close();
    this.connected = false;
    this.producerReady = false;
  }

  /** Sends the head of the buffer and takes it off; or, refused as too large, makes the head smaller. */
  private async sendHead(): Promise<void> {
    const n = Math.min(this.headRecords, headBatchLength(this.buffer, this.maxBatch, this.stats.maxSendBytes));
    const batch = this.buffer.slice(0, n);
    try {
      if (this.connected && !this.producerReady) {
        await this.producer.initIdempotentProducer({});
        this.producerReady = true;
      }
      await this.checkPartitions(batch);
      await sendWithResend(this.producer, batch.map(toProduce), this.partitioner, this.resend);
      this.buffer.splice(0, n);
      this.headRecords = Infinity;
      return;
    } catch (err) {
      if (!isTooLarge(err)) {
        // The next try carries the same records (those acknowledged too: receivers drop a copy).
        this.headRecords = n;
        if (needsNewProducer(err)) await this.renewProducer();
        throw new OutboxSendError(err);
      }
    }
    // A refusal may have come for one partition of the request while others were
    // written: the idempotent producer's sequence numbers are then not to be trusted.
    // A fresh producer starts new ones (a record written meanwhile may be written twice:
    // receivers drop a re-sent envelope, and dead letters are at-least-once).
    await this.renewProducer();
    if (n > 1) {
      // Split: the next try carries half the records, and sends are planned smaller from now on.
      this.stats.splits++;
      this.headRecords = Math.ceil(n / 2);
      this.stats.maxSendBytes = Math.max(MIN_SEND_BYTES, Math.min(this.stats.maxSendBytes, Math.floor(sendBytes(batch) / 2)));
      return;
    }
    const head = this.buffer[0]!;
    const size = recordBytes(head);
    const copy = truncatedCopy(head, Math.max(MIN_TRUNCATED_BYTES, Math.floor(size * TRUNCATE_FACTOR)));
    if (size <= MIN_TRUNCATED_BYTES || recordBytes(copy) >= size) {
      // Refused even at its smallest: dropped (and counted), so the records behind it move on.
      this.buffer.shift();
      this.stats.dropped++;
      return;
    }
    if (!this.copies.has(head)) this.stats.truncated++;
    this.copies.add(copy);
    this.buffer[0] = copy;
  }

  /**
   * A record sent to a partition number its topic does not have would be
   * written to another partition (the library takes it modulo the count):
   * refuse it instead, after one look at fresh metadata.
   */
  private async checkPartitions(batch: OutboxMessage[]): Promise<void> {
    const wanted = new Map<string, number>();
    for (const m of batch) {
      if (m.partition === undefined) continue;
      if (!Number.isInteger(m.partition) || m.partition < 0) throw new PartitionOutOfRangeError(m.topic, m.partition, undefined);
      wanted.set(m.topic, Math.max(wanted.get(m.topic) ?? 0, m.partition));
    }
    if (wanted.size === 0) return;
    const topics = [...wanted.keys()];
    const short = (meta: Awaited<ReturnType<OutboxProducer['metadata']>>) =>
      topics.find((t) => (meta.topics.get(t)?.partitionsCount ?? 0) <= wanted.get(t)!);
    if (short(await this.producer.metadata({ topics })) === undefined) return;
    const fresh = await this.producer.metadata({ topics, forceUpdate: true });
    const topic = short(fresh);
    if (topic !== undefined) throw new PartitionOutOfRangeError(topic, wanted.get(topic)!, fresh.topics.get(topic)?.partitionsCount);
  }

  /** Replaces the producer; the next send connects the new one. */
  private async renewProducer(): Promise<void> {
    const old = this.producer;
    this.producer = this.newProducer();
    this.producerReady = false;
    await old.close().catch(() => {});
  }
}
