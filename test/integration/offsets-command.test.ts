// `topology offsets <name>` end to end, against two worker processes: skip what was
// produced while the topology was inactive, rewind with a state reset, and the
// refusals. Events carry no ids (no dedup window can hide a replay), and the
// aggregates are compared with the totals this test computed itself.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExactRun } from '../support/exact-run';
import { loadCounters } from '../support/event-loader';
import { ZkClient } from '../../topology/coordination/zk-client';
import { testConfig, waitFor } from '../support/pipeline-harness';
import type { CliResult } from '../support/run-cli';
import { partitionKeys } from '../../state/redis-keys';
import type { PartitionMove } from '../../topology/deploy/offsets-plan';

interface View {
  status: string;
  partitions: Array<{ partition: number; position: number; zookeeper: number | null; mirrorDisagrees: boolean; earliest: number; end: number; moved: unknown }>;
}

const PARTITIONS = 4;
/** Events per Kafka message (ExactRun's loads): the plan counts records, that is messages. */
const PER_MESSAGE = 50;

describe('topology offsets: skip, rewind with a state reset, refusals', () => {
  const run = new ExactRun(testConfig({ sessionTimeoutMs: 4000 }), 'offsets', PARTITIONS);
  const redis = new Redis(run.config.redis);
  const cli = (...args: string[]): Promise<CliResult> => run.cli(...args);
  const view = async (): Promise<View> => {
    const r = await cli('offsets', run.name, '--json');
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as View;
  };
  const metas = (): Promise<Array<Record<string, string>>> =>
    Promise.all(Array.from({ length: PARTITIONS }, (_, p) => redis.hgetall(partitionKeys(run.config.redisPrefix, run.name, p).meta)));
  /** A refusal: one line `topology: …`, exit 1. */
  const expectRefused = (r: CliResult, pattern: RegExp): void => {
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^topology: /);
    expect(r.stderr).toMatch(pattern);
  };

  beforeAll(async () => {
    await run.deploy();
    run.startWorker();
    run.startWorker();
    // Phase A: folded. Keyed messages (each event folded by the task that reads it) and mixed,
    // unkeyed ones (most events cross to another task through the repartition topic).
    await run.produce(2000, { tabPrefix: 'a' });
    await run.produce(1000, { tabPrefix: 'am', mixed: true });
    // A few with ids: they fill the dedup window, which a reset must clear, or their replay would be dropped as resends.
    run.expect(await loadCounters({ brokers: run.config.brokers, topic: run.topic, events: 500, tabs: 10, clients: 2, perMessage: 50, tabPrefix: 'ai', ids: true }));
    await run.waitExact(90_000);
  }, 120_000);

  afterAll(() => {
    run.close();
    redis.disconnect();
  });

  it('refuses to move the positions of an active topology, in one line', async () => {
    // The running workers keep writing (forwards land after the spouts' last records): compare what a move writes.
    const positions = async () => (await metas()).map((m) => ({ watermark: m.watermark, token: m.token, moved: m.moved_at, states: m.events !== '0' }));
    const before = await positions();
    expectRefused(await cli('offsets', run.name, '--to-latest', '--execute'), /is active: deactivate it first/);
    expectRefused(await cli('offsets', run.name, '--to-earliest', '--reset-state'), /is active/);
    expect(await positions()).toEqual(before);
    expect(before.every((p) => p.moved === undefined && p.states)).toBe(true);
    // Reading the positions is fine at any time.
    const v = await view();
    expect(v.status).toBe('active');
    expect(v.partitions.map((p) => p.position)).toEqual(v.partitions.map((p) => p.end));
  }, 60_000);

  it('skips what was produced while inactive (--to-latest --execute): the aggregates are A + C exactly', async () => {
    await run.deactivateAndWaitReleased();
    // Phase B: produced while inactive, never folded (not added to the expected totals).
    const b = await run.produceUncounted(1000, { tabPrefix: 'b' });
    for (const [tab, e] of await run.produceUncounted(1000, { tabPrefix: 'bm', mixed: true })) b.set(tab, e);
    const bRecords = 2000 / PER_MESSAGE;

    // A dry run prints the plan and changes nothing.
    const metasBefore = await metas();
    const viewBefore = await view();
    const dry = await cli('offsets', run.name, '--to-latest');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`${bRecords} records skipped: never folded`);
    expect(dry.stdout).toContain('dry run: nothing changed');
    expect(await metas()).toEqual(metasBefore);
    expect(await view()).toEqual(viewBefore);
    expect(viewBefore.partitions.reduce((s, p) => s + (p.end - p.position), 0)).toBe(bRecords);

    const exec = await cli('offsets', run.name, '--to-latest', '--execute', '--json');
    expect(exec.code, exec.stderr).toBe(0);
    const plan = JSON.parse(exec.stdout) as { moves: PartitionMove[]; applied: Array<PartitionMove & { token: number }> };
    expect(plan.moves.reduce((s, m) => s + m.skipped, 0)).toBe(bRecords);
    expect(plan.moves.every((m) => m.replayed === 0 && m.kind !== 'rewind')).toBe(true);

    // Redis holds the move (token bumped by one, the move recorded), ZooKeeper mirrors it.
    const after = await metas();
    for (const m of plan.applied) {
      expect(Number(after[m.partition]!.token)).toBe(Number(metasBefore[m.partition]!.token) + 1);
      expect(after[m.partition]).toMatchObject({ watermark: String(m.to - 1), moved_from: String(m.from), moved_to: String(m.to), moved_reset: '0' });
    }
    const moved = await view();
    for (const p of moved.partitions) {
      expect(p.position).toBe(p.end);
      expect(p.zookeeper).toBe(p.end);
      expect(p.mirrorDisagrees).toBe(false);
    }

    expect((await cli('activate', run.name)).code).toBe(0);
    // Phase C: folded on top of A, B skipped.
    await run.produce(500, { tabPrefix: 'c' });
    await run.produce(500, { tabPrefix: 'cm', mixed: true });
    await run.waitExact(90_000);
    // B's Tabs never appear (expectExact reports unexpected Tabs too); keep them for the rewind.
    skippedB = b;
  }, 180_000);

  let skippedB: Awaited<ReturnType<ExactRun['produceUncounted']>> | null = null;

  it('refuses a rewind without --reset-state; with it, rebuilds the aggregates from the start: A + B + C exactly', async () => {
    expect(skippedB).not.toBeNull();
    await run.deactivateAndWaitReleased();

    const before = await metas();
    const refused = await cli('offsets', run.name, '--to-earliest', '--execute');
    expectRefused(refused, /rewinding partitions .* would fold \d+ records again .* add --reset-state/);
    expectRefused(await cli('offsets', run.name, '--shift-by', '-1', '--partitions', '0', '--execute'), /rewinding partition 0 /);
    expect(await metas()).toEqual(before);

    const exec = await cli('offsets', run.name, '--to-earliest', '--reset-state', '--execute');
    expect(exec.code, exec.stderr).toBe(0);
    expect(exec.stdout).toMatch(/--reset-state: the states, Tab types and dedup window of partitions 0,1,2,3 are deleted/);
    expect(exec.stdout).toContain(`resume with: topology activate ${run.name}`);
    // States and types are gone until the replay rebuilds them; the running total starts again.
    for (let p = 0; p < PARTITIONS; p++) {
      const keys = partitionKeys(run.config.redisPrefix, run.name, p);
      expect(await redis.exists(keys.states, keys.types)).toBe(0);
      expect(await redis.hget(keys.meta, 'events')).toBe('0');
      expect(await redis.hget(keys.meta, 'moved_reset')).toBe('1');
    }
    expect(await run.differences()).not.toEqual([]);

    run.expect(skippedB!);
    expect((await cli('activate', run.name)).code).toBe(0);
    await run.waitExact(90_000);

    // Redis and ZooKeeper agree once the workers checkpointed what they replayed.
    const agreed = await waitFor('Redis and ZooKeeper agreeing', view, (v) => v.partitions.every((p) => p.position === p.end && !p.mirrorDisagrees), 30_000);
    expect(agreed.partitions.every((p) => p.zookeeper === p.end)).toBe(true);
    expect(await run.differences()).toEqual([]);
  }, 180_000);
});

describe('topology offsets: refusals of a deactivated topology', () => {
  const config = testConfig();
  const run = new ExactRun(config, 'offref', 3);
  const cli = (...args: string[]): Promise<CliResult> => run.cli(...args);

  beforeAll(async () => {
    await run.deploy();
    expect((await cli('deactivate', run.name)).code).toBe(0);
    await run.produce(300);
  }, 60_000);

  afterAll(() => run.close());

  it('refuses while the assignment still gives a partition to a worker, and checks its arguments, in one line each', async () => {
    // No worker runs here: write what a leader that has not yet released partition 1 would show.
    const zk = await ZkClient.forConfig(config);
    try {
      await zk.create(`assignments/${run.name}`, JSON.stringify({ generation: 3, partitions: { 1: 'w-slow' }, leader: 'w-slow', updatedAt: Date.now() }));
      const refused = await cli('offsets', run.name, '--to-latest');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(`topology: ${run.name} still has partitions assigned to workers (1 -> w-slow): wait until they released them (topology status ${run.name} shows no owners)\n`);
      await zk.setJson(`assignments/${run.name}`, { generation: 4, partitions: {}, leader: 'w-slow', updatedAt: Date.now() });
    } finally {
      await zk.close();
    }

    const refusals: Array<[string[], RegExp]> = [
      [['--to-latest', '--to-earliest'], /give one of --to-earliest/],
      [['--to-offset', '-5'], /--to-offset takes a non-negative integer/],
      [['--to-time', 'yesterday'], /--to-time takes an ISO 8601 time or epoch milliseconds/],
      [['--to-latest', '--partitions', '0,9'], /has partitions 0..2; --partitions names 9/],
      [['--execute'], /go with a move/],
      // taba has a repartition topic (for unkeyed and mixed messages): a reset covers every partition.
      [['--to-earliest', '--reset-state', '--partitions', '0,1', '--execute'], /must cover all 3 partitions \(drop --partitions; 2 left out\)/],
    ];
    for (const [args, pattern] of refusals) {
      const r = await cli('offsets', run.name, ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(pattern);
    }
    expectNothingMoved(JSON.parse((await cli('offsets', run.name, '--json')).stdout) as View);

    // A dry run of a partial skip prints the plan, clamped, and changes nothing.
    const dry = await cli('offsets', run.name, '--to-offset', '1000000', '--partitions', '0,2', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as { executed: boolean; moves: PartitionMove[] };
    expect(plan.executed).toBe(false);
    expect(plan.moves.map((m) => m.partition)).toEqual([0, 2]);
    expect(plan.moves.every((m) => m.clamped === 'end' && m.requested === 1_000_000 && m.from === 0 && m.skipped === m.to)).toBe(true);
    expectNothingMoved(JSON.parse((await cli('offsets', run.name, '--json')).stdout) as View);
  }, 60_000);

  function expectNothingMoved(v: View): void {
    expect(v.status).toBe('inactive');
    expect(v.partitions.map((p) => [p.position, p.zookeeper, p.moved ?? null])).toEqual([
      [0, null, null],
      [0, null, null],
      [0, null, null],
    ]);
    // 300 events in messages of 50: 6 records wait.
    expect(v.partitions.reduce((s, p) => s + p.end, 0)).toBe(6);
  }
});
