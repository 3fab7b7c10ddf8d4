import type { Kafka, Producer } from 'kafkajs';
import type { Outbox, OutboxMessage } from './outbox';

/**
 * Repartitioned tuples and dead letters on their way into Kafka. One send is
 * in flight at a time, on an idempotent producer, and a failed send is
 * retried before anything after it: envelopes reach each partition in the
 * order their sources were read, which the receivers' offset dedup needs.
 */
export class KafkaOutbox implements Outbox {
  private buffer: OutboxMessage[] = [];
  private sending: Promise<void> | null = null;
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly maxBatch = 5_000,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  get buffered(): number {
    return this.buffer.length;
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  push(message: OutboxMessage): void {
    this.buffer.push(message);
    if (this.buffer.length >= this.maxBatch && this.sending === null) void this.drain().catch(() => {});
  }

  /** Resolves once everything pushed so far is acknowledged by Kafka; rejects if a send fails for good. */
  async drain(): Promise<void> {
    while (this.sending !== null) await this.sending.catch(() => {});
    while (this.buffer.length > 0) {
      const batch = this.nextBatch();
      this.sending = this.send(batch);
      try {
        await this.sending;
        this.buffer.splice(0, batch.length);
      } finally {
        this.sending = null;
      }
    }
  }

  /**
   * The head of the buffer, as much as one send may carry: Kafka refuses a
   * record batch over message.max.bytes (1 MiB by default), and a refused
   * send would be retried forever and stall its partitions.
   */
  private nextBatch(): OutboxMessage[] {
    let bytes = 0;
    let n = 0;
    while (n < this.buffer.length && n < this.maxBatch) {
      const m = this.buffer[n]!;
      const size = m.value.length + (m.key?.length ?? 0) + 64;
      if (n > 0 && bytes + size > MAX_SEND_BYTES) break;
      bytes += size;
      n++;
    }
    return this.buffer.slice(0, n);
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = false;
  }

  private async send(batch: OutboxMessage[]): Promise<void> {
    const byTopic = new Map<string, OutboxMessage[]>();
    for (const m of batch) {
      const list = byTopic.get(m.topic);
      if (list === undefined) byTopic.set(m.topic, [m]);
      else list.push(m);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({
        topic,
        messages: messages.map((m) => ({ key: m.key, value: m.value, partition: m.partition, headers: m.headers })),
      })),
    });
  }
}

/** Bytes of messages per send: well under Kafka's default 1 MiB record batch limit. */
const MAX_SEND_BYTES = 768 * 1024;
