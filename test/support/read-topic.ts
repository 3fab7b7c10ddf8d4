// Reading a whole topic in tests, as the workers read: PartitionReader, with
// no consumer group, every partition from its start to the end it had when
// the read began.
import { Consumer } from '@platformatic/kafka';
import { KafkaConnection } from '../../spouts/kafka-connection';
import { PartitionReader } from '../../spouts/partition-reader';

export interface ReadRecord {
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  /** Header values as UTF-8 (a repeated key keeps its last value). */
  headers: Record<string, string>;
}

/** Each partition's end offset now (the offset the next record will get). */
export async function endOffsets(connection: KafkaConnection, topic: string): Promise<number[]> {
  const consumer = new Consumer({ ...connection.clientOptions('tabstream-test-reader'), groupId: 'tabstream-unused', retries: 3 });
  try {
    const offsets = await consumer.listOffsets({ topics: [topic], timestamp: -1n });
    return (offsets.get(topic) ?? []).map(Number);
  } finally {
    await consumer.close(true);
  }
}

/** Every record of `topic`, per partition in offset order, up to the end each partition had when called. */
export async function readTopic(connection: KafkaConnection, topic: string, timeoutMs = 60_000): Promise<ReadRecord[]> {
  const ends = await endOffsets(connection, topic);
  const records: ReadRecord[] = [];
  const waiting = new Set(ends.flatMap((end, partition) => (end > 0 ? [partition] : [])));
  if (waiting.size === 0) return records;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const reader = new PartitionReader({
    connection,
    withHeaders: true,
    partitions: [...waiting].map((partition) => ({ topic, partition, start: 0 })),
    onBatch: async (_topic, partition, batch) => {
      for (const r of batch) {
        const offset = Number(r.offset);
        if (offset >= ends[partition]!) continue;
        const headers: Record<string, string> = {};
        for (const [k, v] of r.headers ?? []) headers[k.toString()] = v.toString();
        records.push({ partition, offset, key: r.key, value: r.value, headers });
        if (offset + 1 >= ends[partition]!) waiting.delete(partition);
      }
      if (waiting.size === 0) done();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await reader.start();
    await Promise.race([
      finished,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`read ${records.length} records of ${topic}; partitions ${[...waiting].join(',')} not read to their end in ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await reader.stop();
  }
  return records;
}
