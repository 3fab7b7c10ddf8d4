// A topic created and filled with a workload, shared by every system a run measures.
import { KafkaAdmin } from '../spouts/kafka-admin';
import { KafkaConnection } from '../spouts/kafka-connection';
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
  /** Per (Tab, client) state touched, by `stateIndex`: filled when the shape has `trackStates`. */
  stateExpected: Map<number, { count: number; total: number }>;
  load: LoadResult;
}

export async function createTopic(brokers: string, topic: string, partitions: number): Promise<void> {
  const admin = new KafkaAdmin(new KafkaConnection(brokers.split(',')), 'bench-topics', 30_000);
  try {
    await admin.createTopics([
      { topic, partitions },
      { topic: `${topic}.dlq`, partitions: 1 },
    ]);
  } finally {
    await admin.close();
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
    stateExpected: workload.stateExpected,
    load,
  };
}
