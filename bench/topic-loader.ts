// Writes a workload into a topic as fast as the broker takes it, before any
// measurement starts, so the producer never bounds a consumption figure.
import { TopicWriter } from './topic-writer';
import type { Workload } from './workload';

export interface LoadResult {
  messages: number;
  events: number;
  bytes: number;
  seconds: number;
}

export async function loadTopic(brokers: string, topic: string, workload: Workload): Promise<LoadResult> {
  const started = Date.now();
  const writer = new TopicWriter(brokers, topic);
  const result: LoadResult = { messages: 0, events: 0, bytes: 0, seconds: 0 };
  try {
    for (let m = workload.next(); m !== null; m = workload.next()) {
      await writer.write(m.key, m.value);
      result.messages++;
      result.events += m.events;
      result.bytes += m.value.length;
    }
    const sent = await writer.close();
    if (sent !== result.messages) throw new Error(`topic writer sent ${sent} of ${result.messages} messages`);
  } finally {
    writer.kill();
  }
  result.seconds = (Date.now() - started) / 1000;
  return result;
}
