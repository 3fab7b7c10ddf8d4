// `topology offsets <name>`: shows a topology's positions, and moves them as
// `kafka-consumer-groups --reset-offsets` moves a group's (dry run unless
// --execute). Redis's watermark is the truth (DESIGN.md, "The checkpoint
// protocol"): a move is written there, one atomic script per partition
// (state/scripts/move-position.lua), then mirrored into ZooKeeper.
import type { Command } from 'commander';
import { ZkClient } from '../coordination/zk-client';
import { readSpec } from '../coordination/spec-store';
import { readAssignment } from '../coordination/assignment-store';
import { needsRepartitionTopic } from '../dsl/placement';
import { loadTopology } from '../loader';
import { EARLIEST, KafkaAdmin, LATEST } from '../../spouts/kafka-admin';
import type { ConfigFlags, TabstreamConfig } from '../config';
import { topologySettings, type TopologySpec } from '../deploy/topology-spec';
import { moveApplies, planMoves, planRefusal, type OffsetTarget, type PartitionMove } from '../deploy/offsets-plan';
import { ZkOffsetStore } from '../../spouts/zk-offset-store';
import { RedisStateStore, type PartitionMeta } from '../../state/redis-state-store';
import { CLIENT_TIMEOUT_MS, redisClient } from '../../state/redis-client';
import { configFrom, withConfigFlags } from './config-flags';

const print = (line: string): void => void process.stdout.write(`${line}\n`);

/** A Kafka answer (connect and every request) takes at most this long. */
const KAFKA_TIMEOUT_MS = 5_000;

interface OffsetsFlags {
  toEarliest?: boolean;
  toLatest?: boolean;
  toOffset?: string;
  shiftBy?: string;
  toTime?: string;
  partitions?: string;
  resetState?: boolean;
  execute?: boolean;
  json?: boolean;
}

export function registerOffsetsCommand(program: Command): void {
  withConfigFlags(
    program
      .command('offsets <name>')
      .description(
        "show a topology's positions (Redis's watermark + 1, the truth; ZooKeeper's mirror; the topic's earliest and end offsets), or move them (dry run unless --execute; the topology must be deactivated first)",
      )
      .option('--to-earliest', "move to each partition's first retained offset")
      .option('--to-latest', "move to each partition's end offset (skip everything not yet read)")
      .option('--to-offset <n>', 'move every chosen partition to offset n')
      .option('--shift-by <n>', 'move by n records (negative: back)')
      .option('--to-time <time>', 'move to the first record at or after this time (ISO 8601 or epoch ms)')
      .option('--partitions <list>', 'only these partitions, comma-separated (default: all)')
      .option('--reset-state', "delete the moved partitions' states, Tab types and dedup window, so the replay rebuilds them from the new position (needed to move back)")
      .option('--execute', 'apply the plan (without it, only print it)')
      .option('--json', 'print JSON'),
  ).action(async (name: string, flags: OffsetsFlags & ConfigFlags) => {
    const target = targetOf(flags);
    const partitions = flags.partitions === undefined ? undefined : partitionList(flags.partitions);
    if (target === null && (partitions !== undefined || flags.resetState || flags.execute)) {
      throw new Error('--partitions, --reset-state and --execute go with a move: --to-earliest, --to-latest, --to-offset <n>, --shift-by <n> or --to-time <time>');
    }
    const config = configFrom(flags);
    const zk = await ZkClient.forConfig(config, { connectTimeoutMs: CLIENT_TIMEOUT_MS, operationTimeoutMs: CLIENT_TIMEOUT_MS });
    // One try per command, each within the CLI's timeout: a Redis that does not answer fails the command in one line within seconds.
    const redis = redisClient(config, { timeoutMs: CLIENT_TIMEOUT_MS, maxRetriesPerRequest: 0 });
    try {
      const store = new RedisStateStore(redis, { prefix: config.redisPrefix });
      const found = await readSpec(zk, name);
      if (found === null) throw new Error(`no topology named '${name}' is deployed`);
      const spec = found.spec;
      if (target === null) {
        await show(zk, config, store, spec, flags.json === true);
        return;
      }
      await move(zk, config, store, spec, target, { partitions, resetState: flags.resetState === true, execute: flags.execute === true, json: flags.json === true });
    } finally {
      redis.disconnect();
      await zk.close();
    }
  });
}

/** The one target flag given, or null for the read-only view. */
function targetOf(flags: OffsetsFlags): OffsetTarget | null {
  const given: OffsetTarget[] = [];
  if (flags.toEarliest) given.push({ kind: 'earliest' });
  if (flags.toLatest) given.push({ kind: 'latest' });
  if (flags.toOffset !== undefined) given.push({ kind: 'offset', offset: integer(flags.toOffset, '--to-offset', 0) });
  if (flags.shiftBy !== undefined) given.push({ kind: 'shift', by: integer(flags.shiftBy, '--shift-by') });
  if (flags.toTime !== undefined) given.push({ kind: 'time', time: timeOf(flags.toTime), offsets: new Map() });
  if (given.length > 1) throw new Error('give one of --to-earliest, --to-latest, --to-offset, --shift-by, --to-time');
  return given[0] ?? null;
}

function integer(value: string, flag: string, min = Number.MIN_SAFE_INTEGER): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < min) {
    throw new Error(`${flag} takes ${min === 0 ? 'a non-negative' : 'an'} integer, got '${value}'`);
  }
  return n;
}

/** ISO 8601 or epoch milliseconds. */
export function timeOf(value: string): number {
  const t = /^\d+$/.test(value.trim()) ? Number(value) : Date.parse(value);
  if (!Number.isSafeInteger(t) || t < 0) throw new Error(`--to-time takes an ISO 8601 time or epoch milliseconds, got '${value}'`);
  return t;
}

function partitionList(value: string): number[] {
  const out = value.split(',').map((part) => integer(part.trim(), '--partitions', 0));
  return [...new Set(out)].sort((a, b) => a - b);
}

/** Each partition's first retained and end offsets, per topic. */
interface TopicOffsets {
  earliest: Map<number, number>;
  end: Map<number, number>;
}

/** Asks Kafka, within KAFKA_TIMEOUT_MS per lookup, for the topics' earliest and end offsets (and the spout topic's offsets at `time`). */
async function kafkaOffsets(
  config: TabstreamConfig,
  topics: string[],
  timeLookup: { topic: string; time: number } | null,
): Promise<{ topics: Map<string, TopicOffsets>; atTime: Map<number, number> }> {
  const admin = KafkaAdmin.of(config, 'tabstream-offsets', KAFKA_TIMEOUT_MS);
  try {
    const [earliest, end, atTime] = await Promise.all([
      admin.offsets(topics, EARLIEST),
      admin.offsets(topics, LATEST),
      timeLookup === null ? null : admin.offsets([timeLookup.topic], timeLookup.time),
    ]);
    const out = new Map<string, TopicOffsets>();
    for (const topic of topics) out.set(topic, { earliest: earliest.get(topic) ?? new Map(), end: end.get(topic) ?? new Map() });
    return { topics: out, atTime: atTime?.get(timeLookup!.topic) ?? new Map() };
  } finally {
    void admin.close();
  }
}

/** Per partition of the spout topic: where the topology stands and what Kafka holds. */
interface PartitionView {
  partition: number;
  /** Redis's watermark + 1: the next offset read (the truth). */
  position: number;
  watermark: number;
  /** ZooKeeper's mirror (`offsets/<name>/<topic>/<p>`); null when none was committed. */
  zookeeper: number | null;
  mirrorDisagrees: boolean;
  earliest: number;
  end: number;
  lag: number;
  moved: PartitionMeta['moved'] | null;
}

async function readViews(
  zk: ZkClient,
  config: TabstreamConfig,
  store: RedisStateStore,
  spec: TopologySpec,
  extraTopics: string[] = [],
  timeLookup: number | null = null,
): Promise<{ views: PartitionView[]; metas: PartitionMeta[]; kafka: Awaited<ReturnType<typeof kafkaOffsets>> }> {
  const topic = spec.options.topic;
  const offsets = new ZkOffsetStore(zk);
  const [metas, mirrors, kafka] = await Promise.all([
    store.readMetas(spec.name, spec.partitions).catch((err: Error) => {
      throw new Error(`could not read ${spec.name}'s positions from Redis: ${err.message}`);
    }),
    Promise.all(Array.from({ length: spec.partitions }, (_, p) => offsets.get(spec.name, topic, p))),
    kafkaOffsets(config, [topic, ...extraTopics], timeLookup === null ? null : { topic, time: timeLookup }),
  ]);
  const spout = kafka.topics.get(topic)!;
  const views = metas.map((meta, p): PartitionView => {
    const position = meta.watermark + 1;
    const zookeeper = mirrors[p] ?? null;
    const end = spout.end.get(p);
    if (end === undefined) throw new Error(`topic ${topic} has no partition ${p} (the topology has ${spec.partitions})`);
    return {
      partition: p,
      position,
      watermark: meta.watermark,
      zookeeper,
      // As a worker taking the partition up judges it: nothing committed agrees with nothing folded.
      mirrorDisagrees: zookeeper === null ? meta.watermark !== -1 : zookeeper !== position,
      earliest: spout.earliest.get(p) ?? 0,
      end,
      lag: Math.max(0, end - position),
      moved: meta.moved ?? null,
    };
  });
  return { views, metas, kafka };
}

async function show(zk: ZkClient, config: TabstreamConfig, store: RedisStateStore, spec: TopologySpec, json: boolean): Promise<void> {
  const { views } = await readViews(zk, config, store, spec);
  if (json) {
    print(JSON.stringify({ topology: spec.name, topic: spec.options.topic, status: spec.status, partitions: views }, null, 2));
    return;
  }
  const disagreeing = views.filter((v) => v.mirrorDisagrees).length;
  print(`${spec.name}: ${spec.status}, topic ${spec.options.topic} (${spec.partitions} partitions); position = Redis's watermark + 1 (the truth)`);
  print(row(['partition', 'position', 'zookeeper', 'earliest', 'end', 'lag', 'mirror', 'last move']));
  for (const v of views) {
    const moved = v.moved ? `${v.moved.from} -> ${v.moved.to}${v.moved.reset ? ' (state reset)' : ''} at ${new Date(v.moved.at).toISOString()}` : '-';
    print(row([v.partition, v.position, v.zookeeper ?? '-', v.earliest, v.end, v.lag, v.mirrorDisagrees ? 'DISAGREES' : 'ok', moved]));
  }
  if (disagreeing > 0) {
    print(`${disagreeing} partition${disagreeing === 1 ? '' : 's'}: ZooKeeper's mirror disagrees with Redis; workers follow Redis (a mirror behind is put right at their next checkpoint, one ahead once their position passes it)`);
  }
}

function row(cells: Array<string | number>): string {
  const widths = [9, 10, 10, 10, 10, 8, 10];
  return cells.map((c, i) => (i < widths.length ? String(c).padStart(widths[i]!) : `  ${c}`)).join(' ');
}

/** The repartition inputs of each task: repartition topic and the tasks (its partitions) that read it. */
export function repartitionInputs(topology: Awaited<ReturnType<typeof loadTopology>>, partitions: number): Array<{ topic: string; tasks: number }> {
  return topology.bolts
    .filter((b) => needsRepartitionTopic(topology, b.name, partitions))
    .map((b) => ({ topic: topology.repartitionTopic(b.name), tasks: Math.min(partitions, topology.parallelismOf(b.name, partitions)) }));
}

/** Repartition topics named by stored source positions (`src:in:<topic>:<p>`, `src:fwd:<topic>:<source>`). */
function repartitionTopicsIn(metas: PartitionMeta[]): string[] {
  const topics = new Set<string>();
  for (const meta of metas) {
    for (const field of Object.keys(meta.sources)) {
      const [kind, topic] = field.split(':');
      if ((kind === 'in' || kind === 'fwd') && topic !== undefined && topic.endsWith('.repartition')) topics.add(topic);
    }
  }
  return [...topics];
}

async function move(
  zk: ZkClient,
  config: TabstreamConfig,
  store: RedisStateStore,
  spec: TopologySpec,
  target: OffsetTarget,
  opts: { partitions: number[] | undefined; resetState: boolean; execute: boolean; json: boolean },
): Promise<void> {
  const name = spec.name;
  // As Kafka's tool: positions move only while nothing consumes them (a running owner would overwrite the move).
  if (spec.status !== 'inactive') {
    throw new Error(`${name} is ${spec.status}: deactivate it first (topology deactivate ${name}) and wait until its workers released their partitions`);
  }
  const assignment = await readAssignment(zk, name);
  const owned = Object.entries(assignment?.assignment.partitions ?? {});
  if (owned.length > 0) {
    const owners = owned.map(([p, w]) => `${p} -> ${w}`).join(', ');
    throw new Error(`${name} still has partitions assigned to workers (${owners}): wait until they released them (topology status ${name} shows no owners)`);
  }
  for (const p of opts.partitions ?? []) {
    if (p >= spec.partitions) throw new Error(`${name} has partitions 0..${spec.partitions - 1}; --partitions names ${p}`);
  }
  let topology;
  try {
    topology = await loadTopology(spec.module, topologySettings(spec));
  } catch (err) {
    throw new Error(`could not load ${name}'s module ${spec.module} to find its repartition topics: ${(err as Error).message}`);
  }
  const inputs = repartitionInputs(topology, spec.partitions);
  const { views, metas, kafka } = await readViews(
    zk,
    config,
    store,
    spec,
    inputs.map((i) => i.topic),
    target.kind === 'time' ? target.time : null,
  );
  const repartitionTopics = [...new Set([...inputs.map((i) => i.topic), ...repartitionTopicsIn(metas)])].sort();
  const resolved: OffsetTarget = target.kind === 'time' ? { ...target, offsets: kafka.atTime } : target;
  const moves = planMoves(views, resolved, { partitions: opts.partitions, resetState: opts.resetState });
  const refusal = planRefusal(moves, { topology: name, partitionCount: spec.partitions, repartitionTopics, resetState: opts.resetState });
  if (refusal !== null) throw new Error(refusal);

  const applied: Array<PartitionMove & { token: number; statesDeleted: number }> = [];
  if (opts.execute) {
    // Redis is moved first: a ZooKeeper that refuses these credentials must refuse before that, not after.
    await zk.assertMayChange('offsets');
    const offsets = new ZkOffsetStore(zk);
    for (const m of moves.filter(moveApplies)) {
      // After a reset, each repartition input starts at its topic's end: what was forwarded from the
      // old positions is not folded again; the spout forwards its records from the new position anew.
      const sources: Record<string, number> = {};
      if (m.resetState) {
        for (const input of inputs) {
          if (m.partition < input.tasks) sources[`in:${input.topic}:${m.partition}`] = (kafka.topics.get(input.topic)?.end.get(m.partition) ?? 0) - 1;
        }
      }
      const done = applied.map((a) => a.partition).join(',') || 'none';
      let result;
      try {
        result = await store.movePosition({
          topology: name,
          partition: m.partition,
          expectedWatermark: m.from - 1,
          watermark: m.to - 1,
          movedAt: Date.now(),
          resetState: m.resetState,
          sources,
        });
      } catch (err) {
        // A refusal changed nothing; a lost reply may hide a move Redis applied: the view tells (its last move).
        throw new Error(`partition ${m.partition}: ${(err as Error).message} (partitions moved before it: ${done}; see topology offsets ${name}, then plan again)`);
      }
      applied.push({ ...m, token: result.token, statesDeleted: result.statesDeleted });
      try {
        await offsets.reset(name, spec.options.topic, m.partition, m.to);
        for (const [field, watermark] of Object.entries(sources)) {
          const topic = field.slice('in:'.length, field.lastIndexOf(':'));
          await offsets.reset(name, topic, m.partition, watermark + 1);
        }
      } catch (err) {
        throw new Error(
          `partition ${m.partition} moved in Redis (the truth; workers follow it) but its ZooKeeper mirror was not updated: ${(err as Error).message}`,
        );
      }
    }
  }

  if (opts.json) {
    print(JSON.stringify({ topology: name, topic: spec.options.topic, target: describeTarget(target), resetState: opts.resetState, executed: opts.execute, repartitionTopics, moves, applied }, null, 2));
    return;
  }
  print(`${name}: move ${spec.options.topic} to ${describeTarget(target)}${opts.resetState ? ', resetting the state' : ''}`);
  print(`${['partition', 'from', 'to', 'earliest', 'end'].map((c, i) => c.padStart(i === 0 ? 9 : 10)).join(' ')}  change`);
  const byPartition = new Map(views.map((v) => [v.partition, v]));
  for (const m of moves) {
    const v = byPartition.get(m.partition)!;
    print(`${[m.partition, m.from, m.to, v.earliest, v.end].map((c, i) => String(c).padStart(i === 0 ? 9 : 10)).join(' ')}  ${change(m)}`);
  }
  const skipped = moves.reduce((s, m) => s + m.skipped, 0);
  const replayed = moves.reduce((s, m) => s + m.replayed, 0);
  if (skipped > 0) print(`${skipped} record${skipped === 1 ? '' : 's'} skipped: never folded`);
  if (!opts.resetState && repartitionTopics.length > 0) {
    print(`repartition topics ${repartitionTopics.join(', ')}: what was forwarded of records before the old positions is still folded where it lands`);
  }
  if (opts.resetState) {
    print(
      `--reset-state: the states, Tab types and dedup window of partition${moves.length === 1 ? '' : 's'} ${moves.map((m) => m.partition).join(',')} are deleted; ` +
        `the records from the new position on rebuild them (${replayed} replayed), so their aggregates then cover only those records`,
    );
    if (repartitionTopics.length > 0) print(`repartition topics ${repartitionTopics.join(', ')}: read on from their end (what was forwarded before is not folded again)`);
  }
  if (!opts.execute) {
    print('dry run: nothing changed (add --execute to apply)');
    return;
  }
  for (const a of applied) {
    print(`moved partition ${a.partition}: ${a.from} -> ${a.to} (token ${a.token}${a.resetState ? `, ${a.statesDeleted} states deleted` : ''})`);
  }
  if (applied.length === 0) print('nothing to move: every partition is at its target already');
  else print(`moved ${applied.length} partition${applied.length === 1 ? '' : 's'} in Redis and ZooKeeper; resume with: topology activate ${name}`);
}

function change(m: PartitionMove): string {
  const parts: string[] = [];
  if (m.kind === 'skip') parts.push(`skip ${m.skipped} record${m.skipped === 1 ? '' : 's'}`);
  else if (m.kind === 'rewind') parts.push(`rewind: replay ${m.replayed} record${m.replayed === 1 ? '' : 's'}`);
  else parts.push('unchanged');
  if (m.resetState) parts.push('state reset');
  if (m.clamped !== null) parts.push(`clamped to ${m.clamped} (asked ${m.requested})`);
  return parts.join('; ');
}

function describeTarget(t: OffsetTarget): string {
  switch (t.kind) {
    case 'earliest':
      return 'the earliest offsets';
    case 'latest':
      return 'the latest offsets';
    case 'offset':
      return `offset ${t.offset}`;
    case 'shift':
      return `a shift of ${t.by}`;
    case 'time':
      return `the first records at or after ${new Date(t.time).toISOString()}`;
  }
}
