// Loads a topic with counter events fast: batches of one Tab per message, as
// TabClient sends them, written with plain KafkaJS so tests can load a
// million events in seconds and know the exact totals to expect.
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';

export interface LoadOptions {
  brokers: string[];
  topic: string;
  events: number;
  tabs: number;
  clients: number;
  /** Events per Kafka message. */
  perMessage?: number;
  tabPrefix?: string;
  /** Give every event an id (exercises the dedup window). */
  ids?: boolean;
  /** Called after each chunk is acknowledged with the events sent so far. */
  onProgress?: (sent: number) => void;
  /** Pause between chunks, to spread the load over time. */
  pauseMs?: number;
}

export type Expected = Map<string, { count: number; total: number }>;

export async function loadCounters(opts: LoadOptions): Promise<Expected> {
  const perMessage = opts.perMessage ?? 100;
  const prefix = opts.tabPrefix ?? 'c';
  const kafka = new Kafka({ brokers: opts.brokers, logLevel: logLevel.NOTHING, clientId: 'test-loader' });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const expected: Expected = new Map();
  const time = Date.now();
  let sent = 0;
  let seq = 0;
  try {
    while (sent < opts.events) {
      const messages: Array<{ key: string; value: string }> = [];
      let chunk = 0;
      while (chunk < 20_000 && sent + chunk < opts.events) {
        const tab = `${prefix}${(seq * 7919) % opts.tabs}`;
        const client = `client-${seq % opts.clients}`;
        const n = Math.min(perMessage, opts.events - sent - chunk);
        const parts: string[] = [];
        const e = expected.get(tab) ?? { count: 0, total: 0 };
        for (let i = 0; i < n; i++) {
          const value = ((seq + i) % 10) + 1;
          e.count++;
          e.total += value;
          const id = opts.ids ? `,"id":"${prefix}-${seq}-${i}"` : '';
          parts.push(`{"tab":"${tab}","type":"counter","value":${value},"time":${time},"client":"${client}"${id}}`);
        }
        expected.set(tab, e);
        messages.push({ key: tab, value: `[${parts.join(',')}]` });
        chunk += n;
        seq++;
      }
      await producer.send({ topic: opts.topic, messages, acks: -1, compression: CompressionTypes.None });
      sent += chunk;
      opts.onProgress?.(sent);
      if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
    }
  } finally {
    await producer.disconnect();
  }
  return expected;
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
