import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay, isRetriable, retry } from '../../topology/retry-policy';
import { FencedError, StateStoreUnavailableError } from '../../state/errors';

const policy = { initialMs: 100, maxMs: 1_000 };
const noJitter = () => 0;

describe('backoffDelay', () => {
  it('doubles from the first delay up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => backoffDelay(policy, a, noJitter))).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
    expect(backoffDelay({ ...policy, factor: 3 }, 2, noJitter)).toBe(900);
  });

  it('takes at most the jitter share off at random, and never goes above the cap', () => {
    expect(backoffDelay(policy, 0, () => 0.5)).toBe(90); // 20 % jitter, half of it
    expect(backoffDelay(policy, 0, () => 0.999999)).toBe(80);
    expect(backoffDelay({ ...policy, jitter: 1 }, 9, () => 0.5)).toBe(500);
    for (let attempt = 0; attempt < 50; attempt++) {
      const d = backoffDelay(policy, attempt, Math.random);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(1_000);
    }
  });
});

describe('isRetriable', () => {
  it("follows the typed errors' flag, and retries what says nothing", () => {
    expect(isRetriable(new FencedError('t', 0, 2, 1))).toBe(false);
    expect(isRetriable(new StateStoreUnavailableError('down'))).toBe(true);
    expect(isRetriable(new Error('plain'))).toBe(true);
    expect(isRetriable('a string')).toBe(true);
  });
});

describe('Backoff', () => {
  it('is due again once its delay has passed on the clock, and starts over after a success', () => {
    let now = 1_000;
    const b = new Backoff(policy, noJitter, () => now);
    expect(b.due).toBe(true);
    expect(b.failed()).toBe(100);
    expect(b.attempts).toBe(1);
    expect(b.due).toBe(false);
    now += 99;
    expect(b.due).toBe(false);
    now += 1;
    expect(b.due).toBe(true);
    expect(b.failed()).toBe(200);
    b.succeeded();
    expect(b.attempts).toBe(0);
    expect(b.due).toBe(true);
    expect(b.failed()).toBe(100);
  });
});

describe('retry', () => {
  const slept: number[] = [];
  const sleep = async (ms: number) => void slept.push(ms);

  it('retries with backing-off delays until the call succeeds', async () => {
    slept.length = 0;
    const retried: number[] = [];
    const result = await retry(
      async (attempt) => {
        if (attempt < 3) throw new Error(`try ${attempt}`);
        return 'done';
      },
      policy,
      { random: noJitter, sleep, onRetry: (_err, attempt) => retried.push(attempt) },
    );
    expect(result).toBe('done');
    expect(slept).toEqual([100, 200, 400]);
    expect(retried).toEqual([0, 1, 2]);
  });

  it('gives up at once on an error that is not retriable', async () => {
    slept.length = 0;
    let calls = 0;
    const fenced = new FencedError('t', 0, 2, 1);
    await expect(
      retry(
        async () => {
          calls++;
          throw fenced;
        },
        policy,
        { random: noJitter, sleep },
      ),
    ).rejects.toBe(fenced);
    expect(calls).toBe(1);
    expect(slept).toEqual([]);
    // A caller whose every try starts afresh (a new session) may say which errors it retries.
    calls = 0;
    await expect(
      retry(
        async () => {
          if (++calls < 3) throw fenced;
          return calls;
        },
        policy,
        { random: noJitter, sleep, retriable: () => true },
      ),
    ).resolves.toBe(3);
  });

  it('stops after its retries, or when told to, with the last error', async () => {
    slept.length = 0;
    let calls = 0;
    await expect(retry(async () => Promise.reject(new Error(`no ${++calls}`)), policy, { random: noJitter, sleep, retries: 2 })).rejects.toThrow('no 3');
    expect(slept).toEqual([100, 200]);
    let go = true;
    calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          go = calls < 2;
          throw new Error('down');
        },
        policy,
        { random: noJitter, sleep, shouldRetry: () => go },
      ),
    ).rejects.toThrow('down');
    expect(calls).toBe(2);
  });
});
