// The ceiling: how fast the workers' reader (spouts/partition-reader.ts, on
// @platformatic/kafka, no consumer group) reads a topic on this machine,
// decoding nothing and folding nothing. Every other figure is divided by this one.
import { consumeFromStart } from './consume-from-start';
import { topicEndOffsets } from './topic-offsets';

export interface ConsumeResult {
  messages: number;
  /** From the first batch to the last message. */
  seconds: number;
  messagesPerSecond: number;
}

export async function rawConsume(brokers: string[], topic: string, timeoutMs = 300_000): Promise<ConsumeResult> {
  const end = await topicEndOffsets(brokers, topic);
  const total = [...end.values()].reduce((a, b) => a + b, 0);
  let seen = 0;
  const timing = await consumeFromStart({
    brokers,
    topic,
    label: 'ceiling',
    timeoutMs,
    onBatch: (records) => (seen += records.length) >= total,
  });
  const seconds = (timing.doneAt - timing.firstAt) / 1000;
  return { messages: seen, seconds, messagesPerSecond: seen / seconds };
}
