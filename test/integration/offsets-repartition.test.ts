// `topology offsets` on a chain of two keyed bolts (parse -> relay by client -> fold by
// Tab: two repartition topics), two workers, mixed messages without ids so most events
// cross tasks once or twice: a skip keeps what was forwarded before it; a reset of every
// partition rebuilds the aggregates from the spouts' new positions, each repartition
// input reading on from its topic's end. Exact against the test's own totals.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endOffsets } from '../support/topic-ends';
import { ExactRun } from '../support/exact-run';
import { testConfig } from '../support/pipeline-harness';
import { partitionKeys } from '../../state/redis-keys';

const PARTITIONS = 4;

describe('topology offsets with two repartition topics', () => {
  const run = new ExactRun(testConfig({ sessionTimeoutMs: 4000 }), 'offtwo', PARTITIONS);
  const redis = new Redis(run.config.redis);
  const relay = `${run.name}.relay.repartition`;
  const fold = `${run.name}.fold.repartition`;

  beforeAll(async () => {
    await run.deploy('test/faults/two-keyed-topology.ts');
    run.startWorker();
    run.startWorker();
    await run.produce(3000, { tabPrefix: 'a', mixed: true, clients: 7 });
    await run.waitExact(90_000);
  }, 120_000);

  afterAll(() => {
    run.close();
    redis.disconnect();
  });

  it('skips what was produced while inactive, then rebuilds everything with a reset of every partition', async () => {
    await run.deactivateAndWaitReleased();
    const b = await run.produceUncounted(1000, { tabPrefix: 'b', mixed: true, clients: 7 });

    // A skip is allowed: what was forwarded before it is of records before the old positions.
    const skip = await run.cli('offsets', run.name, '--to-latest', '--execute', '--json');
    expect(skip.code, skip.stderr).toBe(0);
    const skipped = JSON.parse(skip.stdout) as { repartitionTopics: string[]; moves: Array<{ skipped: number }> };
    expect(skipped.repartitionTopics).toEqual([fold, relay].sort());
    expect(skipped.moves.reduce((s, m) => s + m.skipped, 0)).toBe(1000 / 50);
    expect((await run.cli('activate', run.name)).code).toBe(0);
    await run.produce(1000, { tabPrefix: 'c', mixed: true, clients: 7 });
    await run.waitExact(90_000);

    await run.deactivateAndWaitReleased();
    const partial = await run.cli('offsets', run.name, '--to-earliest', '--reset-state', '--partitions', '0,1,2', '--execute');
    expect(partial.code).toBe(1);
    expect(partial.stderr).toMatch(/must cover all 4 partitions/);

    const reset = await run.cli('offsets', run.name, '--to-earliest', '--reset-state', '--execute');
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain(`repartition topics ${[fold, relay].sort().join(', ')}: read on from their end`);
    // Each repartition input starts again at its topic's end; no forward position is left.
    const ends = { [relay]: await endOffsets(run.config.brokers, relay), [fold]: await endOffsets(run.config.brokers, fold) };
    for (let p = 0; p < PARTITIONS; p++) {
      const meta = await redis.hgetall(partitionKeys(run.config.redisPrefix, run.name, p).meta);
      const sources = Object.entries(meta).filter(([field]) => field.startsWith('src:'));
      expect(Object.fromEntries(sources)).toEqual({
        [`src:in:${relay}:${p}`]: String(ends[relay]![p]! - 1),
        [`src:in:${fold}:${p}`]: String(ends[fold]![p]! - 1),
      });
      expect(meta).toMatchObject({ watermark: '-1', moved_to: '0', moved_reset: '1', events: '0' });
    }

    run.expect(b);
    expect((await run.cli('activate', run.name)).code).toBe(0);
    await run.waitExact(90_000);
    // And on from there.
    await run.produce(500, { tabPrefix: 'd', mixed: true, clients: 7 });
    await run.waitExact(60_000);
  }, 300_000);
});
