// Reading what a pipeline test left behind: the dead letters of a topic, by
// reason, and whether every partition of the input was folded to its end.
import { createHash } from 'node:crypto';
import type { RedisStateStore } from '../../state/redis-state-store';
import type { KafkaConnection } from '../../spouts/kafka-connection';
import { readTopic } from './read-topic';
import { endOffsets, messagesOn } from './topic-ends';

/** Messages written to every partition of a topic so far (high watermarks, read with KafkaAdmin). */
export async function messagesIn(brokers: string[], topic: string): Promise<number> {
  return messagesOn(brokers, topic);
}

/**
 * Every dead letter of `<topic>.dlq` counted by its `tabstream-reason` header
 * (read to the topic's end, with PartitionReader: no consumer group). Dead
 * letters are at-least-once: with `distinct`, a repeat (same
 * `tabstream-source` and value, written again after a replay) counts once,
 * and `repeats` says how many there were.
 */
export async function deadLettersByReason(
  connection: KafkaConnection,
  topic: string,
  opts: { distinct?: boolean; timeoutMs?: number; repeats?: { n: number } } = {},
): Promise<Map<string, number>> {
  const seen = new Set<string>();
  const reasons = new Map<string, number>();
  for (const m of await readTopic(connection, `${topic}.dlq`, opts.timeoutMs ?? 60_000)) {
    if (opts.distinct) {
      const id = `${String(m.headers['tabstream-source'])}\u0000${createHash('sha1').update(m.value ?? Buffer.alloc(0)).digest('hex')}`;
      if (seen.has(id)) {
        if (opts.repeats) opts.repeats.n++;
        continue;
      }
      seen.add(id);
    }
    const reason = m.headers['tabstream-reason'] ?? 'none';
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  return reasons;
}

/** Partitions of the input whose Redis watermark has not reached the topic's end yet: [partition, watermark + 1, end]. */
export async function partitionsBehind(brokers: string[], store: RedisStateStore, topology: string, topic: string): Promise<Array<[number, number, number]>> {
  const behind: Array<[number, number, number]> = [];
  for (const [partition, end] of (await endOffsets(brokers, topic)).entries()) {
    const { watermark } = await store.readMeta(topology, partition);
    if (watermark + 1 < end) behind.push([partition, watermark + 1, end]);
  }
  return behind.sort((a, b) => a[0] - b[0]);
}
