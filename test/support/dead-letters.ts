// Reading what a pipeline test left behind: the dead letters of a topic, by
// reason, and whether every partition of the input was folded to its end.
import { createHash } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { RedisStateStore } from '../../state/redis-state-store';
import { uniqueName } from './pipeline-harness';

/** The end offset (next offset to be written) of every partition of a topic (KafkaJS, as the callers' clients still are). */
async function topicEndOffsets(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

/** Messages written to every partition of a topic so far. */
export async function messagesIn(kafka: Kafka, topic: string): Promise<number> {
  let n = 0;
  for (const end of (await topicEndOffsets(kafka, topic)).values()) n += end;
  return n;
}

/**
 * Every dead letter of `<topic>.dlq` counted by its `tabstream-reason` header
 * (read to the topic's end). Dead letters are at-least-once: with `distinct`,
 * a repeat (same `tabstream-source` and value, written again after a replay)
 * counts once, and `repeats` says how many there were.
 */
export async function deadLettersByReason(
  kafka: Kafka,
  topic: string,
  opts: { distinct?: boolean; timeoutMs?: number; repeats?: { n: number } } = {},
): Promise<Map<string, number>> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const seen = new Set<string>();
  const dlq = `${topic}.dlq`;
  const total = await messagesIn(kafka, dlq);
  const reasons = new Map<string, number>();
  let read = 0;
  const consumer = kafka.consumer({ groupId: uniqueName('dlq-reader'), maxBytes: 16 * 1024 * 1024 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: dlq, fromBeginning: true });
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${read} of ${total} dead letters in ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            read++;
            if (opts.distinct) {
              const id = `${String(m.headers?.['tabstream-source'])}\u0000${createHash('sha1').update(m.value ?? Buffer.alloc(0)).digest('hex')}`;
              if (seen.has(id)) {
                if (opts.repeats) opts.repeats.n++;
                continue;
              }
              seen.add(id);
            }
            const reason = String(m.headers?.['tabstream-reason'] ?? 'none');
            reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
          }
          if (read >= total) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
      if (total === 0) {
        clearTimeout(timer);
        resolve();
      }
    });
    await done;
  } finally {
    await consumer.disconnect();
  }
  return reasons;
}

/** Partitions of the input whose Redis watermark has not reached the topic's end yet: [partition, watermark + 1, end]. */
export async function partitionsBehind(kafka: Kafka, store: RedisStateStore, topology: string, topic: string): Promise<Array<[number, number, number]>> {
  const behind: Array<[number, number, number]> = [];
  for (const [partition, end] of await topicEndOffsets(kafka, topic)) {
    const { watermark } = await store.readMeta(topology, partition);
    if (watermark + 1 < end) behind.push([partition, watermark + 1, end]);
  }
  return behind.sort((a, b) => a[0] - b[0]);
}
