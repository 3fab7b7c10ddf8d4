// The Kafka Streams peer (bench/peers/kafka-streams, built by peer-jar.ts),
// run on the same loaded topic. Its throughput comes from its committed
// consumer-group offsets: the same progress rule as Tabstream's flushed
// watermarks (progress-watch.ts).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { KafkaAdmin } from '../spouts/kafka-admin';
import { KafkaConnection } from '../spouts/kafka-connection';
import { hasKafkaErrorCode } from '../spouts/kafka-errors';
import { aggregateProblems, type TabActual } from './aggregate-check';
import { BENCH_STACK } from './bench-stack';
import type { LoadedTopic } from './loaded-topic';
import { PEER_JAR } from './peer-jar';
import { rssOf } from './process-rss';
import { watchProgress } from './progress-watch';

export type StreamsGuarantee = 'exactly_once_v2' | 'at_least_once';

export interface PeerResult {
  eventsPerSecond: number;
  problems: string[];
  states: number;
  rssBytes: number;
}

/** COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE: Kafka is still setting up the group's coordinator. */
const COORDINATOR_NOT_READY = [14, 15];

export async function kafkaStreamsThroughput(opts: {
  brokers: string;
  loaded: LoadedTopic;
  threads: number;
  guarantee: StreamsGuarantee;
  timeoutMs?: number;
}): Promise<PeerResult> {
  const { loaded } = opts;
  const appId = `bench-streams-${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const work = join(BENCH_STACK.dir, 'kafka-streams', appId);
  mkdirSync(work, { recursive: true });
  const out = join(work, 'aggregates.json');
  const child = spawn(
    'java',
    ['-Xms1g', '-Xmx3g', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-jar', PEER_JAR, '--brokers', opts.brokers, '--topic', loaded.topic, '--app-id', appId, '--state-dir', join(work, 'state'), '--out', out, '--threads', String(opts.threads), '--guarantee', opts.guarantee],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (c: Buffer) => void (output = (output + c.toString()).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const admin = new KafkaAdmin(new KafkaConnection(opts.brokers.split(',')), 'bench-streams-watch');
  let rssBytes = Number.NaN;
  try {
    const run = await watchProgress({
      total: loaded.messages,
      probe: async () => {
        const committed = await admin.groupOffsets(appId, loaded.topic).catch((err: unknown) => {
          // A fresh broker creates its group coordinator (__consumer_offsets) on the first lookup: nothing committed yet.
          if (COORDINATOR_NOT_READY.some((code) => hasKafkaErrorCode(err, code))) return new Map<number, number>();
          throw err;
        });
        rssBytes = rssOf(child.pid!);
        return [...committed.values()].reduce((sum, offset) => sum + Math.max(0, offset), 0);
      },
      timeoutMs: opts.timeoutMs ?? 600_000,
      explain: () => output.slice(-3000),
    });
    const code = await exited;
    if (code !== 0) throw new Error(`kafka streams peer exited ${code}:\n${output.slice(-3000)}`);
    const dump = JSON.parse(readFileSync(out, 'utf8')) as { states: number; tabs: Record<string, [string, number, number]> };
    const actual = new Map<string, TabActual>(Object.entries(dump.tabs).map(([tab, [type, count, total]]) => [tab, { type, count, total }]));
    return {
      eventsPerSecond: run.messagesPerSecond * loaded.eventsPerMessage,
      problems: aggregateProblems(actual, loaded.expected),
      states: dump.states,
      rssBytes,
    };
  } finally {
    await admin.close();
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  }
}
