// A KafkaJS consumer reading a topic from its start, in a group of its own,
// with fetch settings like the worker's reader (spouts/partition-reader.ts), until the
// batch handler says it is done.
import { Kafka, logLevel, type Batch } from 'kafkajs';
import { randomUUID } from 'node:crypto';

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
  onBatch: (batch: Batch) => Promise<boolean> | boolean;
}): Promise<ConsumeTiming> {
  const kafka = new Kafka({ brokers: opts.brokers, clientId: `bench-${opts.label}`, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-${opts.label}-${randomUUID()}`, maxBytesPerPartition: 4 * 1024 * 1024, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: opts.topic, fromBeginning: true });
  const timing: ConsumeTiming = { firstAt: 0, doneAt: 0 };
  let finished = false;
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${opts.label}: not done reading ${opts.topic} after ${opts.timeoutMs} ms`)), opts.timeoutMs);
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (finished) return;
        if (timing.firstAt === 0) timing.firstAt = Date.now();
        if (await opts.onBatch(batch)) {
          finished = true;
          timing.doneAt = Date.now();
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  try {
    await done;
  } finally {
    await consumer.disconnect();
  }
  return timing;
}
