// The resend's pure logic (what a failure proves, when to send again, where
// records go) and its loop against a fake producer that fails as
// @platformatic/kafka 2.12.1 does, in the library's own error classes, on a
// clock the test moves.
import { describe, expect, it } from 'vitest';
import { MultipleErrors, NetworkError, ProtocolError, ResponseError, TimeoutError, UserError } from '@platformatic/kafka';
import { partitionForKey, kafkaDefaultPartitioner } from '../../client/partition-for-key';
import { byPartition, DEFAULT_RESEND, KafkaSendError, mayResend, resendDelay, sendWithResend, type ResendClock, type ResendMessage, type ResendPolicy } from '../../client/resend';
import { isRetriable, nothingWritten } from '../../client/send-failure';

const PRODUCE_API = 0;

/** A produce response refusing partition 0 with `code`, as the library's Producer rejects with it after its tries. */
function refusal(code: number, tries = 1): Error {
  const one = () => new ResponseError(PRODUCE_API, 9, { '/responses/0/partition_responses/0': [code, null] }, {});
  const inner = tries === 1 ? one() : new MultipleErrors(`produce failed ${tries} times.`, Array.from({ length: tries }, one));
  return new MultipleErrors('Producing messages failed.', [inner]);
}

const refused = () => new NetworkError('Connection to 127.0.0.1:19093 failed.', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:19093'), { code: 'ECONNREFUSED' }) });
const tries = (...errors: Error[]) => new MultipleErrors('Producing messages failed.', [new MultipleErrors(`produce failed ${errors.length} times.`, errors)]);

describe('nothingWritten', () => {
  it('holds for refusals before an append and for tries that never reached a broker', () => {
    expect(nothingWritten(refusal(6, 11))).toBe(true); // NOT_LEADER_OR_FOLLOWER, the library's 11 tries on stale metadata
    expect(nothingWritten(refusal(5))).toBe(true); // LEADER_NOT_AVAILABLE
    expect(nothingWritten(refusal(3))).toBe(true); // UNKNOWN_TOPIC_OR_PARTITION
    expect(nothingWritten(refusal(19))).toBe(true); // NOT_ENOUGH_REPLICAS
    expect(nothingWritten(tries(refused(), refused(), new ProtocolError(6)))).toBe(true);
    expect(nothingWritten(new TimeoutError('Connection to 127.0.0.1:19093 timed out.', { canRetry: true }))).toBe(true);
    expect(nothingWritten(new MultipleErrors('metadata failed.', [new UserError('Unknown topic tabs.')]))).toBe(true);
  });

  it('does not hold where the leader may have written the records', () => {
    expect(nothingWritten(new MultipleErrors('Producing messages failed.', [new TimeoutError('Request timed out', { canRetry: true })]))).toBe(false);
    expect(nothingWritten(tries(new NetworkError('Connection closed'), refused(), new ProtocolError(6)))).toBe(false); // the first try was out
    expect(nothingWritten(refusal(20))).toBe(false); // NOT_ENOUGH_REPLICAS_AFTER_APPEND
    expect(nothingWritten(refusal(7))).toBe(false); // REQUEST_TIMED_OUT
    expect(nothingWritten(refusal(10))).toBe(false); // MESSAGE_TOO_LARGE: nothing written, but never resent (not retriable)
    expect(nothingWritten(new NetworkError('Client is closed.', { canRetry: false, closed: true }))).toBe(false);
    expect(nothingWritten(new Error('anything else'))).toBe(false);
    expect(nothingWritten(new MultipleErrors('Producing messages failed.', []))).toBe(false);
  });

  it('a send again is safe only when nothing was written and the failure may pass, unless duplicates are dropped downstream', () => {
    const strict = { resendMaybeWritten: false };
    expect(mayResend(refusal(6), strict)).toBe(true);
    expect(mayResend(refusal(10), strict)).toBe(false);
    expect(mayResend(refusal(29), strict)).toBe(false); // TOPIC_AUTHORIZATION_FAILED
    expect(mayResend(new TimeoutError('Request timed out'), strict)).toBe(false);
    expect(mayResend(new TimeoutError('Request timed out'), { resendMaybeWritten: true })).toBe(true);
    expect(mayResend(refusal(10), { resendMaybeWritten: true })).toBe(false);
  });
});

describe('resendDelay', () => {
  const policy: ResendPolicy = { deadlineMs: 10_000, firstDelayMs: 100, maxDelayMs: 2_000, resendMaybeWritten: false };

  it('doubles from the first delay up to the most, give or take 20%', () => {
    expect([1, 2, 3, 4, 5, 6, 9].map((t) => resendDelay(policy, t, 0, true, 0.5))).toEqual([100, 200, 400, 800, 1600, 2000, 2000]);
    expect(resendDelay(policy, 1, 0, true, 0)).toBe(80);
    expect(resendDelay(policy, 1, 0, true, 0.9999)).toBe(120);
    expect(resendDelay(policy, 20, 0, true, 0.9999)).toBe(2400);
  });

  it('gives up when not safe, or when the wait would end past the deadline', () => {
    expect(resendDelay(policy, 1, 0, false, 0.5)).toBeUndefined();
    expect(resendDelay(policy, 6, 7_999, true, 0.5)).toBe(2000);
    expect(resendDelay(policy, 6, 8_000, true, 0.5)).toBeUndefined();
    expect(resendDelay({ ...policy, deadlineMs: 0 }, 1, 0, true, 0.5)).toBeUndefined();
  });
});

describe('byPartition', () => {
  it('places keyed records as Kafka does, keeps given partitions, spreads unkeyed ones, in order within a partition', () => {
    const keyed = ['bids', 'asks', 'c17', 'c4', 'bids'].map((k) => ({ topic: 't', key: Buffer.from(k) }));
    const given = [{ topic: 'u', partition: 2 }, { topic: 'u', partition: 7 }];
    const unkeyed = Array.from({ length: 8 }, () => ({ topic: 'v' }));
    const groups = byPartition<ResendMessage>([...keyed, ...given, ...unkeyed], (topic) => (topic === 'u' ? 4 : 6), kafkaDefaultPartitioner());
    const where = new Map<number, string>();
    for (const g of groups.values()) {
      g.index.forEach((i, j) => {
        expect(g.messages[j]!.partition! % (g.topic === 'u' ? 4 : 6)).toBe(g.partition);
        where.set(i, `${g.topic}:${g.partition}`);
      });
      expect(g.index).toEqual([...g.index].sort((a, b) => a - b));
    }
    keyed.forEach((m, i) => expect(where.get(i)).toBe(`t:${partitionForKey(m.key.toString(), 6)}`));
    expect(where.get(5)).toBe('u:2');
    expect(where.get(6)).toBe('u:3'); // the library takes a partition modulo the count
    expect(new Set(unkeyed.map((_, i) => where.get(7 + i))).size).toBe(6); // round-robin over all 6
    expect(where.size).toBe(15);
  });
});

/** A clock that moves only when the resend sleeps. */
function fakeClock(): ResendClock & { slept: number[] } {
  let now = 1_000_000;
  const slept: number[] = [];
  return { slept, now: () => now, random: () => 0.5, sleep: async (ms) => void (slept.push(ms), (now += ms)) };
}

/** A producer whose sends to a partition fail with what the test queued for it, then succeed. */
function fakeProducer(partitions = 2) {
  const failNext = new Map<number, Error[]>();
  const sends: number[] = [];
  const written: Array<{ partition: number; value: string }> = [];
  const refreshes: string[][] = [];
  const producer = {
    metadata: async ({ topics, forceUpdate }: { topics: string[]; forceUpdate?: boolean }) => {
      if (forceUpdate) refreshes.push(topics);
      return { topics: new Map(topics.map((t) => [t, { partitionsCount: partitions }])) };
    },
    send: async ({ messages }: { messages: Array<ResendMessage & { value: string }> }) => {
      const partition = messages[0]!.partition!;
      expect(messages.every((m) => m.partition === partition)).toBe(true);
      sends.push(partition);
      const fail = failNext.get(partition)?.shift();
      if (fail !== undefined) throw fail;
      for (const m of messages) written.push({ partition, value: m.value });
    },
  };
  return { producer, failNext, sends, written, refreshes };
}

const two = [
  { topic: 't', partition: 0, value: 'a' },
  { topic: 't', partition: 1, value: 'b' },
  { topic: 't', partition: 0, value: 'c' },
];
const policy: ResendPolicy = { ...DEFAULT_RESEND, deadlineMs: 10_000 };

describe('sendWithResend', () => {
  it("sends a partition whose leader moved again, on fresh metadata, and only that partition's records", async () => {
    const kafka = fakeProducer();
    kafka.failNext.set(0, [refusal(6, 11), tries(refused(), refused())]);
    const clock = fakeClock();
    const told: string[] = [];
    const onResend = (r: { topic: string; partition?: number; tries: number; delayMs: number }) => told.push(`${r.topic}:${r.partition} try ${r.tries}, ${r.delayMs} ms`);
    await sendWithResend(kafka.producer, two, kafkaDefaultPartitioner(), { ...policy, onResend }, clock);
    expect(told).toEqual(['t:0 try 1, 100 ms', 't:0 try 2, 200 ms']);
    expect(kafka.sends.filter((p) => p === 0)).toHaveLength(3);
    expect(kafka.sends.filter((p) => p === 1)).toHaveLength(1);
    expect(kafka.refreshes).toEqual([['t'], ['t']]);
    expect(clock.slept).toEqual([100, 200]);
    expect(kafka.written.map((w) => w.value).sort()).toEqual(['a', 'b', 'c']);
  });

  it('does not send again what may have been written: fails saying so, with what was acknowledged', async () => {
    const kafka = fakeProducer();
    kafka.failNext.set(0, [tries(new NetworkError('Connection closed'), refused())]);
    const err = (await sendWithResend(kafka.producer, two, kafkaDefaultPartitioner(), policy, fakeClock()).catch((e: unknown) => e)) as KafkaSendError;
    expect(err).toBeInstanceOf(KafkaSendError);
    expect(err.retriable).toBe(true);
    expect(err.maybeWritten).toBe(true);
    expect([...err.acked]).toEqual([1]);
    expect(err.failures).toMatchObject([{ topic: 't', partition: 0, records: 2, tries: 1 }]);
    expect(err.message).toMatch(/did not acknowledge 2 of 3 records .*t:0 after 1 try \(Connection closed; connect ECONNREFUSED 127\.0\.0\.1:19093\)/);
    expect(kafka.sends.filter((p) => p === 0)).toHaveLength(1);
    expect(isRetriable(err)).toBe(true);
  });

  it('sends again after a timeout where duplicates are dropped downstream (resendMaybeWritten)', async () => {
    const kafka = fakeProducer();
    kafka.failNext.set(1, [new TimeoutError('Request timed out', { canRetry: true })]);
    await sendWithResend(kafka.producer, two, kafkaDefaultPartitioner(), { ...policy, resendMaybeWritten: true }, fakeClock());
    expect(kafka.sends.filter((p) => p === 1)).toHaveLength(2);
  });

  it('gives up at the deadline, retriable, nothing written', async () => {
    const kafka = fakeProducer();
    kafka.failNext.set(0, Array.from({ length: 100 }, () => refusal(6)));
    const clock = fakeClock();
    const started = clock.now();
    const err = (await sendWithResend(kafka.producer, two, kafkaDefaultPartitioner(), policy, clock).catch((e: unknown) => e)) as KafkaSendError;
    expect(err).toBeInstanceOf(KafkaSendError);
    expect(err.retriable).toBe(true);
    expect(err.maybeWritten).toBe(false);
    expect(clock.now() - started).toBeLessThan(10_000);
    expect(clock.now() - started + 2_000).toBeGreaterThanOrEqual(10_000);
    expect(err.failures[0]!.tries).toBe(clock.slept.length + 1);
  });

  it('never sends again a refusal of the records themselves', async () => {
    const kafka = fakeProducer();
    kafka.failNext.set(1, [refusal(10)]);
    const err = (await sendWithResend(kafka.producer, two, kafkaDefaultPartitioner(), policy, fakeClock()).catch((e: unknown) => e)) as KafkaSendError;
    expect(err.retriable).toBe(false);
    expect(kafka.sends.filter((p) => p === 1)).toHaveLength(1);
    expect([...err.acked].sort()).toEqual([0, 2]);
  });

  it('waits for metadata (a topic not known yet) within the deadline', async () => {
    const kafka = fakeProducer();
    const metadata = kafka.producer.metadata;
    let misses = 2;
    kafka.producer.metadata = async (o) => {
      if (misses-- > 0) throw new MultipleErrors('metadata failed.', [new UserError('Unknown topic t.')]);
      return metadata(o);
    };
    await sendWithResend(kafka.producer, two, kafkaDefaultPartitioner(), policy, fakeClock());
    expect(kafka.written).toHaveLength(3);
  });
});
