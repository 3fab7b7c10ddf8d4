// End to end: a loaded topic to exact, flushed aggregates in Redis, with 1 or
// more `topology worker` processes.
import { aggregateProblems } from './aggregate-check';
import { BenchCluster, type StackAddresses } from './bench-cluster';
import { watchProgress } from './progress-watch';
import { storedAggregates, storedRecordAggregates, typesWithRecords } from './stored-aggregates';
import { stateSizes, type StateSizes } from './state-size';
import type { LoadedTopic } from './loaded-topic';

export interface ThroughputOptions {
  stack: StackAddresses;
  loaded: LoadedTopic;
  workers: number;
  cpuProfileDir?: string;
  timeoutMs?: number;
  /** The topology's checkpoint interval; the config's default (1000 ms) when absent. */
  flushIntervalMs?: number;
}

export interface ThroughputResult {
  eventsPerSecond: number;
  /** Over the steady slice (the messages after the first quarter; progress-watch.ts). */
  steadyEventsPerSecond: number;
  /** Activation (workers up) to the last message flushed: assignment, take-up and group join included. */
  wallSeconds: number;
  /** Empty when every Tab's aggregate is exact: its client states merged, and its record (a `record ` line when that one is off). */
  problems: string[];
  sizes: StateSizes;
  /** Per worker, at the end (all state in memory). */
  rssBytes: number[];
  /**
   * Per worker, the CPU seconds it spent from activation to the last message
   * flushed (its start-up left out): the loaded events over their sum is a
   * figure of CPU per event beside the rate (five runs of one build: the rate
   * 0.78-1.10 M events/s, per worker CPU-second 0.52-0.64 M: steadier, not steady).
   */
  workerCpuSeconds: number[];
}

export async function tabstreamThroughput(opts: ThroughputOptions): Promise<ThroughputResult> {
  const { loaded } = opts;
  const cluster = new BenchCluster(opts.stack, `e2e${opts.workers}w`, loaded.topic, loaded.partitions, { flushIntervalMs: opts.flushIntervalMs });
  try {
    await cluster.deploy();
    // Every worker joins before the topology is active, so the leader assigns all partitions once:
    // no rebalance while the measured run is under way.
    await cluster.setActive(false);
    for (let i = 0; i < opts.workers; i++) cluster.startWorker({ cpuProfileDir: opts.cpuProfileDir });
    await cluster.waitForMembers(opts.workers, 60_000);
    const cpuAtStart = cluster.workers.map((w) => w.cpuSeconds());
    const started = Date.now();
    await cluster.setActive(true);
    const run = await watchProgress({
      total: loaded.messages,
      probe: () => cluster.flushed(),
      timeoutMs: opts.timeoutMs ?? 600_000,
      explain: () => cluster.logs(),
    });
    const rssBytes = cluster.workers.map((w) => w.rssBytes());
    const cpuAtEnd = cluster.workers.map((w) => w.cpuSeconds());
    const wallSeconds = (run.doneAt - started) / 1000;
    await Promise.all(cluster.workers.map((w) => w.stop()));
    const actual = await storedAggregates(cluster.redis, cluster.config.redisPrefix, cluster.name, loaded.partitions);
    // The records too: the queries read them, not the client states.
    const records = await storedRecordAggregates(cluster.redis, cluster.config.redisPrefix, cluster.name, loaded.partitions);
    const withRecords = typesWithRecords();
    const expectedRecords = new Map([...loaded.expected].filter(([, e]) => withRecords.has(e.type)));
    return {
      eventsPerSecond: run.messagesPerSecond * loaded.eventsPerMessage,
      steadyEventsPerSecond: run.steadyMessagesPerSecond * loaded.eventsPerMessage,
      wallSeconds,
      problems: [...aggregateProblems(actual, loaded.expected), ...aggregateProblems(records, expectedRecords).map((p) => `record ${p}`)],
      sizes: await stateSizes(cluster.redis, cluster.config.redisPrefix, cluster.name, loaded.partitions),
      rssBytes,
      workerCpuSeconds: cpuAtEnd.map((cpu, i) => cpu - cpuAtStart[i]!),
    };
  } finally {
    await cluster.close();
  }
}
