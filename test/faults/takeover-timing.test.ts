// How soon a worker reads what it was given, on a broker with Kafka's default
// group.initial.rebalance.delay.ms (3000, the fault stack's): a worker started
// into a deployed topology, a second one joining, and the survivor of a kill -9
// taking the dead worker's partitions. Folding is seen in Redis: each
// partition's watermark moving (a 100 ms flush interval). Events carry no ids;
// the counts end exact.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultStack, type FaultStack } from '../support/fault-stack';
import { ExactRun } from '../support/exact-run';
import { sleep, waitFor } from '../support/pipeline-harness';
import { partitionKeys } from '../../state/redis-keys';

const PARTITIONS = 8;
const SESSION_MS = 4000;

describe('take-over timing without consumer groups (broker group delay 3000 ms)', () => {
  let stack: FaultStack;
  let run: ExactRun;
  let redis: Redis;
  let producing = true;
  let production: Promise<void>;
  const figures: string[] = [];

  /** Each partition's watermark now. */
  const watermarks = async (): Promise<number[]> => {
    const pipeline = redis.pipeline();
    for (let p = 0; p < PARTITIONS; p++) pipeline.hget(partitionKeys(run.config.redisPrefix, run.name, p).meta, 'watermark');
    return ((await pipeline.exec()) ?? []).map(([, v]) => (v === null ? -1 : Number(v)));
  };

  /** When (epoch ms) each of `partitions` first folded past where it stood at `since`. */
  async function foldingAt(partitions: number[], since: number[], timeoutMs: number): Promise<Map<number, number>> {
    const at = new Map<number, number>();
    const deadline = Date.now() + timeoutMs;
    while (at.size < partitions.length && Date.now() < deadline) {
      const now = await watermarks();
      for (const p of partitions) if (!at.has(p) && now[p]! > since[p]!) at.set(p, Date.now());
      await sleep(25);
    }
    expect([...at.keys()].sort((a, b) => a - b), 'partitions seen folding').toEqual([...partitions].sort((a, b) => a - b));
    return at;
  }

  /** The partitions a worker said it ran at its last `running` line, and when. */
  const lastRunning = (w: ExactRun['workers'][number]) => {
    const line = [...w.logs].reverse().find((l) => l.msg === 'running');
    return { at: line?.time ?? 0, partitions: (line?.partitions as number[] | undefined) ?? [] };
  };

  beforeAll(async () => {
    stack = await faultStack();
    run = new ExactRun(stack.config({ sessionTimeoutMs: SESSION_MS, flushIntervalMs: 100 }), 'takeover', PARTITIONS);
    await run.deploy();
    redis = new Redis(run.config.redis);
    // Events all along: every partition always has something to fold.
    production = (async () => {
      while (producing) await run.produce(4_000, { pauseMs: 50 });
    })();
  }, 120_000);

  afterAll(async () => {
    producing = false;
    await production.catch(() => {});
    console.log(`take-over timing (broker group delay 3000 ms):\n  ${figures.join('\n  ')}`);
    redis?.disconnect();
    run?.close();
  });

  it('a worker started into a deployed topology folds on every partition within 1.5 s of being assigned them', async () => {
    const before = await watermarks();
    const started = Date.now();
    const w = run.startWorker();
    await waitFor('the worker running its partitions', async () => lastRunning(w).partitions.length, (n) => n === PARTITIONS, 60_000);
    const at = await foldingAt(Array.from({ length: PARTITIONS }, (_, p) => p), before, 20_000);
    // The assignment reached the worker when it began applying it: its `running` line minus the steps it timed.
    const running = w.logs.find((l) => l.msg === 'running')!;
    const assigned = running.time - Object.values((running.ms as Record<string, number> | undefined) ?? {}).reduce((sum, ms) => sum + ms, 0);
    const slowest = Math.max(...at.values());
    figures.push(`worker started: process start -> folding on all ${PARTITIONS} partitions ${slowest - started} ms; assignment taken up (claimed, loaded) -> folding on all ${slowest - assigned} ms`);
    expect(slowest - assigned).toBeLessThan(1500);
  }, 120_000);

  it('kill -9 of one of two workers: the survivor folds its partitions within the session timeout + 1 s, and counts end exact', async () => {
    const second = run.startWorker();
    await waitFor('both workers running', async () => lastRunning(second).partitions.length, (n) => n > 0, 60_000);
    await sleep(2000);
    const victim = run.workers[0]!;
    const theirs = lastRunning(victim).partitions;
    expect(theirs.length).toBeGreaterThan(0);
    const killedAt = Date.now();
    victim.kill('SIGKILL');
    // A checkpoint the victim had already sent lands within milliseconds: only moves after that count.
    await sleep(100);
    const before = await watermarks();
    const at = await foldingAt(theirs, before, 30_000);
    const slowest = Math.max(...at.values());
    figures.push(`kill -9 -> the survivor folding all ${theirs.length} of the dead worker's partitions: ${slowest - killedAt} ms (session timeout ${SESSION_MS} ms)`);
    expect(slowest - killedAt).toBeLessThan(SESSION_MS + 1000);
    producing = false;
    await production;
    await run.waitExact(60_000);
  }, 180_000);
});
