// Reads a topic from its start the way a worker does: the worker's reader
// (spouts/partition-reader.ts: Fetch straight to each leader, no consumer
// group), on every partition, until the batch handler says it is done.
import { KafkaAdmin } from '../spouts/kafka-admin';
import { KafkaConnection } from '../spouts/kafka-connection';
import { PartitionReader } from '../spouts/partition-reader';
import type { InputRecord } from '../contracts/input-consumer';

export interface ConsumeTiming {
  /** Wall time (ms) of the first batch and of the handler's last call. */
  firstAt: number;
  doneAt: number;
}

/** `onBatch` returns true once it has had all it wants. */
export async function consumeFromStart(opts: {
  brokers: string[];
  topic: string;
  label: string;
  timeoutMs: number;
  onBatch: (records: InputRecord[], partition: number) => Promise<boolean> | boolean;
}): Promise<ConsumeTiming> {
  const connection = new KafkaConnection(opts.brokers);
  const admin = new KafkaAdmin(connection, `bench-${opts.label}`);
  let partitions: number;
  try {
    partitions = await admin.partitionCount(opts.topic);
  } finally {
    await admin.close();
  }
  const timing: ConsumeTiming = { firstAt: 0, doneAt: 0 };
  let finished = false;
  let timer: NodeJS.Timeout | undefined;
  let settle: { resolve: () => void; reject: (err: Error) => void } = { resolve: () => {}, reject: () => {} };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const reader = new PartitionReader({
    connection,
    partitions: Array.from({ length: partitions }, (_, partition) => ({ topic: opts.topic, partition, start: 0 })),
    onBatch: async (_topic, partition, records) => {
      if (finished) return;
      if (timing.firstAt === 0) timing.firstAt = Date.now();
      try {
        if (await opts.onBatch(records, partition)) {
          finished = true;
          timing.doneAt = Date.now();
          settle.resolve();
        }
      } catch (err) {
        finished = true;
        settle.reject(err as Error);
      }
    },
  });
  timer = setTimeout(() => settle.reject(new Error(`${opts.label}: not done reading ${opts.topic} after ${opts.timeoutMs} ms`)), opts.timeoutMs);
  try {
    await reader.start();
    await done;
  } finally {
    clearTimeout(timer);
    await reader.stop();
  }
  return timing;
}
