// The naive baseline: a plain consumer (the worker's reader, no group) that parses each message and
// sends Redis one HINCRBY (or HINCRBYFLOAT) per event, no windows, no
// batching of its own (ioredis pipelines what is sent in one tick).
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { consumeFromStart } from './consume-from-start';

export interface NaiveResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

interface WireEvent {
  tab: string;
  type: string;
  client: string;
  value: number | string;
}

/** Consumes the topic from the start until `maxMessages` messages are folded into Redis. */
export async function naiveConsume(opts: { brokers: string[]; redis: string; topic: string; maxMessages: number; timeoutMs?: number }): Promise<NaiveResult> {
  const redis = new Redis(opts.redis);
  const run = randomUUID().slice(0, 8);
  const keys = new Set<string>();
  let messages = 0;
  let events = 0;
  try {
    const timing = await consumeFromStart({
      brokers: opts.brokers,
      topic: opts.topic,
      label: 'naive',
      timeoutMs: opts.timeoutMs ?? 600_000,
      onBatch: async (records) => {
        const replies: Array<Promise<unknown>> = [];
        for (const m of records) {
          if (messages >= opts.maxMessages) break;
          messages++;
          for (const e of JSON.parse(m.value!.toString()) as WireEvent[]) {
            const key = `naive:${run}:${e.tab}`;
            keys.add(key);
            if (e.type === 'counter') replies.push(redis.hincrby(key, e.client, e.value as number));
            else if (e.type === 'percentile') replies.push(redis.hincrbyfloat(key, e.client, e.value as number));
            else replies.push(redis.hincrby(key, e.client, 1));
            events++;
          }
        }
        await Promise.all(replies);
        return messages >= opts.maxMessages;
      },
    });
    const seconds = (timing.doneAt - timing.firstAt) / 1000;
    return { events, seconds, eventsPerSecond: events / seconds };
  } finally {
    for (const key of keys) await redis.del(key);
    redis.disconnect();
  }
}
