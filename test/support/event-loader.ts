// Loads a topic with counter events fast: batches of one Tab per message, as
// TabClient sends them (or, `mixed`, unkeyed messages mixing Tabs and
// clients), written with a plain @platformatic/kafka idempotent producer
// (placed as Kafka's Java client places records) so tests can load a million
// events in seconds and know the exact totals to expect. Sends go through
// client/resend.ts: a partition whose leader moves (a broker killed) is sent
// again only when nothing of it was written, since these events carry no ids
// (a duplicate would be folded twice and break the test's totals).
import { Producer } from '@platformatic/kafka';
import { kafkaDefaultPartitioner } from '../../client/partition-for-key';
import { KafkaConnection } from '../../spouts/kafka-connection';
import type { KafkaSecurity } from '../../topology/config';
import { DEFAULT_RESEND, RESEND_PRODUCER_OPTIONS, sendWithResend, type ResendPolicy } from '../../client/resend';

export interface LoadOptions {
  brokers: string[];
  /** TLS and SASL, on a secure stack. */
  kafka?: KafkaSecurity;
  topic: string;
  events: number;
  tabs: number;
  clients: number;
  /** Events per Kafka message. */
  perMessage?: number;
  tabPrefix?: string;
  /**
   * Give every event an id. Only for tests of the dedup window itself: ids
   * let the window absorb a replay bug, so crash tests send none.
   */
  ids?: boolean;
  /**
   * Unkeyed messages whose events mix Tabs and clients (a client batching
   * many Tabs), instead of one Tab and one client per message keyed by Tab:
   * most events then belong to another task than the partition they land on.
   */
  mixed?: boolean;
  /** Called after each chunk is acknowledged with the events sent so far. */
  onProgress?: (sent: number) => void;
  /** Pause between chunks, to spread the load over time. */
  pauseMs?: number;
  /** Told of each partition sent again (nothing of it written: a leader moving). */
  onResend?: ResendPolicy['onResend'];
}

export type Expected = Map<string, { count: number; total: number }>;

export async function loadCounters(opts: LoadOptions): Promise<Expected> {
  const perMessage = opts.perMessage ?? 100;
  const prefix = opts.tabPrefix ?? 'c';
  const producer = loaderProducer(opts.brokers, 'test-loader', opts.kafka);
  const partitioner = kafkaDefaultPartitioner();
  const expected: Expected = new Map();
  const time = Date.now();
  let sent = 0;
  let seq = 0;
  try {
    while (sent < opts.events) {
      const messages: Array<{ topic: string; key?: Buffer; value: Buffer }> = [];
      let chunk = 0;
      while (chunk < 20_000 && sent + chunk < opts.events) {
        const n = Math.min(perMessage, opts.events - sent - chunk);
        const parts: string[] = [];
        const first = `${prefix}${(seq * 7919) % opts.tabs}`;
        for (let i = 0; i < n; i++) {
          // Mixed: the event's own Tab and client, both changing along the message.
          const tab = opts.mixed ? `${prefix}${((seq + i) * 7919) % opts.tabs}` : first;
          const client = `client-${(opts.mixed ? seq + i * 3 : seq) % opts.clients}`;
          const value = ((seq + i) % 10) + 1;
          const e = expected.get(tab) ?? { count: 0, total: 0 };
          e.count++;
          e.total += value;
          expected.set(tab, e);
          const id = opts.ids ? `,"id":"${prefix}-${seq}-${i}"` : '';
          parts.push(`{"tab":"${tab}","type":"counter","value":${value},"time":${time},"client":"${client}"${id}}`);
        }
        const value = Buffer.from(`[${parts.join(',')}]`);
        messages.push(opts.mixed ? { topic: opts.topic, value } : { topic: opts.topic, key: Buffer.from(first), value });
        chunk += n;
        seq++;
      }
      // One send in flight (the idempotent producer's sequence numbers need it), uncompressed.
      await sendWithResend(producer, messages, partitioner, { ...LOADER_RESEND, onResend: opts.onResend });
      sent += chunk;
      opts.onProgress?.(sent);
      if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
    }
  } finally {
    await producer.close();
  }
  return expected;
}

/** A chunk's partitions are sent again (nothing written) for up to a minute: a leader killed is replaced within seconds. */
const LOADER_RESEND = { ...DEFAULT_RESEND, deadlineMs: 60_000 };

/** An idempotent producer (acks all) that places records as Kafka's Java client does, for test data. */
export function loaderProducer(brokers: string[], clientId = 'test-loader', security?: KafkaSecurity): Producer<Buffer, Buffer, Buffer, Buffer> {
  return new Producer<Buffer, Buffer, Buffer, Buffer>({
    ...new KafkaConnection(brokers, security).clientOptions(clientId),
    ...RESEND_PRODUCER_OPTIONS,
    partitioner: kafkaDefaultPartitioner(),
    // A broker just restarted (leaders not elected yet) is waited for, about 15 s as KafkaJS's defaults did.
    retries: 10,
    retryDelay: (_client, _operation, attempt) => Math.min(250 * 2 ** Math.max(0, attempt - 1), 2000),
  });
}

export function expectExact(actual: Expected, expected: Expected): string[] {
  const problems: string[] = [];
  for (const [tab, e] of expected) {
    const a = actual.get(tab);
    if (a === undefined) problems.push(`${tab}: missing`);
    else if (a.count !== e.count || Math.abs(a.total - e.total) > 1e-6) problems.push(`${tab}: got ${a.count}/${a.total}, want ${e.count}/${e.total}`);
  }
  for (const tab of actual.keys()) if (!expected.has(tab)) problems.push(`${tab}: unexpected`);
  return problems;
}
