import type { SpoutDefinition } from '../contracts/component';

export const RECORD_FIELDS = ['key', 'value', 'topic', 'partition', 'offset', 'timestamp'] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];

/**
 * A Kafka topic as the topology's source. Each task reads one partition,
 * from the offset the checkpoint protocol chose, and the runtime commits the
 * next offset to ZooKeeper only after the Redis write that covers it.
 * `keyField` names the tuple field producers key messages by (`tab`), which
 * lets a fields grouping on it run fused in the partition's own task.
 */
export function kafkaSpout(opts: { topic: string; keyField?: string }): SpoutDefinition<RecordField> {
  return { kind: 'spout', type: 'kafka', topic: opts.topic, keyField: opts.keyField, outputFields: RECORD_FIELDS };
}
