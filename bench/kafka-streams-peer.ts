// The Kafka Streams peer (bench/peers/kafka-streams, built by peer-jar.ts),
// run on the same loaded topic, in one of its variants (peer-variants.ts).
// Its throughput comes from its committed consumer-group offsets: the same
// progress rule as Tabstream's flushed watermarks (progress-watch.ts).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { KafkaAdmin } from '../spouts/kafka-admin';
import { KafkaConnection } from '../spouts/kafka-connection';
import { hasKafkaErrorCode } from '../spouts/kafka-errors';
import { aggregateProblems, type TabActual } from './aggregate-check';
import { BENCH_STACK } from './bench-stack';
import type { LoadedTopic } from './loaded-topic';
import { PEER_JAR } from './peer-jar';
import { variantArgs, type PeerVariant } from './peer-variants';
import { rssOf } from './process-rss';
import { watchProgress } from './progress-watch';

export type StreamsGuarantee = 'exactly_once_v2' | 'at_least_once';

export interface PeerResult {
  eventsPerSecond: number;
  /** Over the steady slice (the messages after the first quarter; progress-watch.ts). */
  steadyEventsPerSecond: number;
  problems: string[];
  states: number;
  /** All instances together. */
  rssBytes: number;
  /** Rebalances that began after the first commit (inside the measured run); 0 in a clean run. */
  rebalancesInRun: number;
  /** With `jfrDir`: each instance's JFR recording. */
  jfrFiles: string[];
  /** Wall times (ms) of the measured run: first progress, last message committed, and the steady slice. */
  window: { firstAt: number; doneAt: number; steadyAt: number; steadyEndAt: number };
}

/** COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE: Kafka is still setting up the group's coordinator. */
const COORDINATOR_NOT_READY = [14, 15];

interface Instance {
  child: ChildProcessWithoutNullStreams;
  out: string;
  output: string;
  ready: Promise<void>;
  dumped: Promise<void>;
  exited: Promise<number | null>;
  /** Wall times (ms) at which the instance entered REBALANCING. */
  rebalances: number[];
}

/** Resolves when `line` appears on the child's stdout. */
function lineSeen(child: ChildProcessWithoutNullStreams, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (c: Buffer) => {
      seen += c.toString();
      if (seen.split('\n').includes(line)) {
        child.stdout.off('data', onData);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.on('exit', (code) => reject(new Error(`kafka streams peer exited ${code} before printing ${line}`)));
  });
}

function startInstance(variant: PeerVariant, brokers: string, topic: string, appId: string, dir: string, jfr?: string): Instance {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'aggregates.json');
  const recording = jfr === undefined ? [] : [`-XX:StartFlightRecording=filename=${jfr},settings=profile,jdk.ExecutionSample#period=2ms,dumponexit=true`];
  const child = spawn(
    'java',
    [...variant.jvm, ...recording, '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-jar', PEER_JAR, '--brokers', brokers, '--topic', topic, '--app-id', appId, '--state-dir', join(dir, 'state'), '--out', out, '--guarantee', 'exactly_once_v2', '--gate', 'on', ...variantArgs(variant)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const instance: Instance = { child, out, output: '', ready: lineSeen(child, 'ready'), dumped: lineSeen(child, 'dumped'), exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))), rebalances: [] };
  // Neither waits unless a run gets that far; a failed run is reported through `exited`.
  instance.ready.catch(() => undefined);
  instance.dumped.catch(() => undefined);
  let partial = '';
  child.stderr.on('data', (c: Buffer) => {
    partial += c.toString();
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const state = /^peer-state \S+ REBALANCING (\d+)$/.exec(line);
      if (state) instance.rebalances.push(Number(state[1]));
    }
  });
  const keep = (c: Buffer) => void (instance.output = (instance.output + c.toString()).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return instance;
}

export async function kafkaStreamsThroughput(opts: {
  brokers: string;
  loaded: LoadedTopic;
  variant: PeerVariant;
  /** Record each instance with JFR into this directory. */
  jfrDir?: string;
  timeoutMs?: number;
}): Promise<PeerResult> {
  const { loaded, variant } = opts;
  const appId = `bench-streams-${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const work = join(BENCH_STACK.dir, 'kafka-streams', appId);
  if (opts.jfrDir !== undefined) mkdirSync(opts.jfrDir, { recursive: true });
  const jfrFiles = opts.jfrDir === undefined ? [] : Array.from({ length: variant.instances }, (_, i) => join(opts.jfrDir!, `${appId}-${i}.jfr`));
  const instances = Array.from({ length: variant.instances }, (_, i) => startInstance(variant, opts.brokers, loaded.topic, appId, join(work, String(i)), jfrFiles[i]));
  const explain = () => instances.map((x, i) => `instance ${i}:\n${x.output.slice(-3000)}`).join('\n');
  const admin = new KafkaAdmin(new KafkaConnection(opts.brokers.split(',')), 'bench-streams-watch');
  let rssBytes = Number.NaN;
  try {
    // Every instance is built (classes loaded, topology made) before any joins the group, so they
    // join together and the group's first assignment is (nearly always) its last.
    await Promise.all(instances.map((x) => x.ready));
    for (const x of instances) x.child.stdin.write('go\n');
    const run = await watchProgress({
      total: loaded.messages,
      probe: async () => {
        const committed = await admin.groupOffsets(appId, loaded.topic).catch((err: unknown) => {
          // A fresh broker creates its group coordinator (__consumer_offsets) on the first lookup: nothing committed yet.
          if (COORDINATOR_NOT_READY.some((code) => hasKafkaErrorCode(err, code))) return new Map<number, number>();
          throw err;
        });
        rssBytes = instances.reduce((sum, x) => sum + rssOf(x.child.pid!), 0);
        return [...committed.values()].reduce((sum, offset) => sum + Math.max(0, offset), 0);
      },
      timeoutMs: opts.timeoutMs ?? 600_000,
      explain,
    });
    // Each instance dumps its own tasks' states; none leaves the group until all have.
    await Promise.race([Promise.all(instances.map((x) => x.dumped)), ...instances.map((x) => x.exited.then((code) => Promise.reject(new Error(`kafka streams peer exited ${code} before its dump:\n${explain()}`))))]);
    // Counted before any instance leaves the group (which rebalances the others).
    const rebalancesInRun = instances.reduce((n, x) => n + x.rebalances.filter((at) => at > run.firstAt).length, 0);
    for (const x of instances) x.child.stdin.end();
    const codes = await Promise.all(instances.map((x) => x.exited));
    if (codes.some((code) => code !== 0)) throw new Error(`kafka streams peer exited ${codes.join(', ')}:\n${explain()}`);
    const actual = new Map<string, TabActual>();
    let states = 0;
    for (const x of instances) {
      const dump = JSON.parse(readFileSync(x.out, 'utf8')) as { states: number; tabs: Record<string, [string, number, number]> };
      states += dump.states;
      // A Tab's states live in its partition's task, so the instances' dumps hold disjoint Tabs.
      for (const [tab, [type, count, total]] of Object.entries(dump.tabs)) {
        const seen = actual.get(tab);
        actual.set(tab, seen === undefined ? { type, count, total } : { type, count: seen.count + count, total: seen.total + total });
      }
    }
    return {
      eventsPerSecond: run.messagesPerSecond * loaded.eventsPerMessage,
      steadyEventsPerSecond: run.steadyMessagesPerSecond * loaded.eventsPerMessage,
      problems: aggregateProblems(actual, loaded.expected),
      states,
      rssBytes,
      rebalancesInRun,
      window: { firstAt: run.firstAt, doneAt: run.doneAt, steadyAt: run.steadyAt, steadyEndAt: run.steadyEndAt },
      jfrFiles: jfrFiles.filter((f) => existsSync(f)),
    };
  } finally {
    await admin.close();
    for (const x of instances) if (x.child.exitCode === null) x.child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  }
}
