// A topic created and filled with a workload, shared by every system a run measures.
import { Kafka, logLevel } from 'kafkajs';
import { loadTopic, type LoadResult } from './topic-loader';
import { Workload, type TabExpectation, type WorkloadShape } from './workload';

export interface LoadedTopic {
  topic: string;
  partitions: number;
  shape: WorkloadShape;
  messages: number;
  events: number;
  eventsPerMessage: number;
  expected: Map<string, TabExpectation>;
  load: LoadResult;
}

export async function createTopic(brokers: string, topic: string, partitions: number): Promise<void> {
  const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'bench-topics', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [
        { topic, numPartitions: partitions },
        { topic: `${topic}.dlq`, numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

export async function createLoadedTopic(brokers: string, topic: string, partitions: number, shape: WorkloadShape): Promise<LoadedTopic> {
  await createTopic(brokers, topic, partitions);
  const workload = new Workload(shape);
  const load = await loadTopic(brokers, topic, workload);
  return {
    topic,
    partitions,
    shape,
    messages: load.messages,
    events: load.events,
    eventsPerMessage: load.events / load.messages,
    expected: workload.expected,
    load,
  };
}
