// Reading what a pipeline test left behind: the dead letters of a topic, by
// reason, and whether every partition of the input was folded to its end.
import type { Kafka } from 'kafkajs';
import type { RedisStateStore } from '../../state/redis-state-store';
import { topicEndOffsets } from '../../bench/topic-offsets';
import { uniqueName } from './pipeline-harness';

/** Messages written to every partition of a topic so far. */
export async function messagesIn(kafka: Kafka, topic: string): Promise<number> {
  let n = 0;
  for (const end of (await topicEndOffsets(kafka, topic)).values()) n += end;
  return n;
}

/** Every dead letter of `<topic>.dlq` counted by its `tabstream-reason` header (read to the topic's end). */
export async function deadLettersByReason(kafka: Kafka, topic: string, timeoutMs = 60_000): Promise<Map<string, number>> {
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
            const reason = String(m.headers?.['tabstream-reason'] ?? 'none');
            reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
            read++;
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
