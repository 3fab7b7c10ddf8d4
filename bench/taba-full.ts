// Taba's full production state (issue 11): every (Tab, client) state of
// 20,000 Tabs × 300 clients, 6 M, in Redis before the run (bench/state-preload.ts),
// events spread uniformly over all of them, 2 workers. Measures end-to-end
// events/s with exact aggregates, each worker's peak RSS, and the time from
// kill -9 of one worker to the survivor processing its partitions, with
// half the states behind them.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRandom } from '../client/seeded-random';
import { AofRewriteWatch, describeAofRewrites } from './aof-rewrite-watch';
import { rewriteAofNow } from './aof-rewrite-now';
import { BenchCluster, type StackAddresses } from './bench-cluster';
import type { TabaFullPlan } from './bench-plan';
import type { TabaFullFigures } from './bench-results';
import type { BenchWorker } from './bench-worker';
import { gcFigures, type GcFigures } from './gc-figures';
import { createTopic } from './loaded-topic';
import { WORKER_GROUPS, formatRows, groupShares, readProfile, selfTimeRows } from './profile-summary';
import { watchProgress } from './progress-watch';
import { killAndTimeTakeover, startTrickle } from './recovery';
import { preloadStates } from './state-preload';
import { loadTopic } from './topic-loader';
import { topicEndOffsets } from './topic-offsets';
import { TopicWriter } from './topic-writer';
import { checkTouchedStates, type CountTotal } from './touched-states';
import { measureQueries } from './query-latency';

/** A baseline query (client states merged at read time) reading past this is given up and reported as such. */
const BASELINE_QUERY_DEADLINE_MS = 120_000;
import { Workload, clientName, stateIndex, tabName, tabType } from './workload';
import { partitionKeys } from '../state/redis-keys';

const MIB = 2 ** 20;
/** The preloaded states' events are this much older than the run's. */
const PRELOAD_AGE_MS = 10 * 60_000;
const TIMELINE_MS = 10_000;
/** The timeline leaves out a last span shorter than this. */
const MIN_SPAN_MS = 1_000;

export interface TabaFullOptions {
  stack: StackAddresses;
  plan: TabaFullPlan;
  partitions: number;
  log: (line: string) => void;
  /** Profile the workers (V8 --cpu-prof) into this directory; the survivor's profile is summarized. */
  cpuProfileDir?: string;
}

/** Where the surviving worker's time went (it ran the whole measured run, then the take-over). */
function survivorProfile(dir: string, log: (line: string) => void): Record<string, number> | undefined {
  const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))[0];
  if (file === undefined) return undefined;
  const profile = readProfile(join(dir, file));
  const shares = groupShares(profile, WORKER_GROUPS);
  log(`taba-full: survivor's profile: ${Object.entries(shares).map(([k, v]) => `${k} ${(v * 100).toFixed(0)} %`).join(', ')}\n${formatRows(selfTimeRows(profile, 15))}`);
  return shares;
}

/** Where the query process's profile goes: beside the workers', in a directory of its own (survivorProfile reads the first profile it finds). */
function queryProfileDir(cpuProfileDir: string | undefined): string | undefined {
  return cpuProfileDir === undefined ? undefined : join(cpuProfileDir, 'query');
}

/** What a worker's /metrics says of its working set, its collector and its CPU. */
async function workerFigures(worker: BenchWorker): Promise<{ fetched: number; evicted: number; working_set_mib: number } & GcFigures> {
  const m = await worker.metrics();
  return {
    fetched: m.get('tabstream_states_fetched_total') ?? Number.NaN,
    // A worker that never evicted has no such series yet (counted from its first eviction).
    evicted: m.get('tabstream_states_evicted_total') ?? 0,
    working_set_mib: (m.get('tabstream_working_set_bytes') ?? Number.NaN) / MIB,
    ...gcFigures(await worker.metricsText()),
  };
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`taba-full: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function measureTabaFull(opts: TabaFullOptions): Promise<TabaFullFigures> {
  const { plan, log } = opts;
  const { shape } = plan;
  const states = shape.tabs * shape.clients;
  const topic = `bench-full-${Date.now().toString(36)}`;
  await createTopic(opts.stack.brokers, topic, opts.partitions);
  const cluster = new BenchCluster(opts.stack, 'full', topic, opts.partitions);
  const mib = (bytes: number) => Math.round(bytes / MIB);
  try {
    // The topic's events and Redis's states load at once: a Java producer and Redis, each on its own.
    log(`taba-full: loading ${shape.events.toLocaleString('en-US')} events into ${topic} and ${states.toLocaleString('en-US')} states into Redis`);
    const workload = new Workload(shape);
    const [topicLoad, preload] = await Promise.all([
      loadTopic(opts.stack.brokers, topic, workload),
      preloadStates({
        redis: cluster.redis,
        prefix: cluster.config.redisPrefix,
        topology: cluster.name,
        partitions: opts.partitions,
        tabs: shape.tabs,
        clients: shape.clients,
        time: Date.now() - PRELOAD_AGE_MS,
        log,
      }),
    ]);
    log(`taba-full: topic loaded in ${topicLoad.seconds.toFixed(1)} s (${topicLoad.messages.toLocaleString('en-US')} messages), ${workload.stateExpected.size.toLocaleString('en-US')} states touched`);
    const rewrite = await rewriteAofNow(cluster.redis, 5 * 60_000);
    if (rewrite !== null) log(`taba-full: Redis's AOF rewritten after the preload in ${rewrite.toFixed(1)} s: the run starts from a file whose base holds all the data, as just after a rewrite`);

    // As the other throughput runs: every worker joins, then the topology is activated (one assignment).
    await cluster.deploy();
    await cluster.setActive(false);
    for (let i = 0; i < plan.workers; i++) cluster.startWorker({ workingSetMiB: plan.workingSetMiB, metrics: true, cpuProfileDir: opts.cpuProfileDir });
    await cluster.waitForMembers(plan.workers, 60_000);
    // Redis's AOF rewrites while the run goes on (each takes most of a core for seconds here).
    const aofWatch = new AofRewriteWatch(opts.stack.redis);
    aofWatch.start();
    const stopWatchAndThrow = async (err: unknown): Promise<never> => {
      await aofWatch.stop(Date.now()).catch(() => null);
      throw err;
    };
    const activated = Date.now();
    await cluster.setActive(true).catch(stopWatchAndThrow);
    // Flushed messages every TIMELINE_MS, in all and per worker, to show how the rate moves as the working sets fill and evict.
    const marks: Array<{ at: number; flushed: number; perWorker: number[] }> = [];
    let owned: number[][] | null = null;
    const probe = async () => {
      const perPartition = await cluster.flushedPerPartition();
      const flushed = perPartition.reduce((a, b) => a + b, 0);
      const at = Date.now();
      // The run's one assignment (no worker joins or leaves until the take-over below), once it places every partition.
      if (owned === null) {
        const placed = await Promise.all(cluster.workers.map((w) => cluster.partitionsOf(w)));
        if (placed.reduce((n, ps) => n + ps.length, 0) === opts.partitions) owned = placed;
      }
      const perWorker = (owned ?? []).map((ps) => ps.reduce((sum, p) => sum + perPartition[p]!, 0));
      if (flushed > 0 && (marks.length === 0 || at - marks[marks.length - 1]!.at >= TIMELINE_MS || flushed >= topicLoad.messages)) marks.push({ at, flushed, perWorker });
      return flushed;
    };
    const run = await watchProgress({ total: topicLoad.messages, probe, timeoutMs: 30 * 60_000, explain: () => cluster.logs() }).catch(stopWatchAndThrow);
    const aof = await aofWatch.stop(run.firstAt);
    if (aof !== null) log(`taba-full: ${describeAofRewrites(aof)}`);
    const eventsPerMessage = topicLoad.events / topicLoad.messages;
    const rateBetween = (from: { at: number }, to: { at: number }, messages: number) => Math.round((messages * eventsPerMessage) / ((to.at - from.at) / 1000));
    // The last mark (every message flushed) may come moments after the one before: a sliver that short says nothing of a rate.
    const spans = marks.slice(1).map((m, i) => [marks[i]!, m] as const).filter(([from, to]) => to.at - from.at >= MIN_SPAN_MS);
    const timeline = spans.map(([from, to]) => rateBetween(from, to, to.flushed - from.flushed));
    const timelinePerWorker = cluster.workers.map((_, w) => spans.map(([from, to]) => rateBetween(from, to, (to.perWorker[w] ?? 0) - (from.perWorker[w] ?? 0))));
    const runPeaks = cluster.workers.map((w) => w.peakRssBytes());
    const runWorkingSets = await Promise.all(cluster.workers.map(workerFigures));
    const e2e = run.messagesPerSecond * eventsPerMessage;
    log(`taba-full: ${Math.round(e2e).toLocaleString('en-US')} events/s over ${((run.doneAt - run.firstAt) / 1000).toFixed(1)} s; peak RSS ${runPeaks.map(mib).join(' / ')} MiB; fetched ${runWorkingSets.map((w) => w.fetched).join(' / ')} states, evicted ${runWorkingSets.map((w) => w.evicted).join(' / ')}`);
    const checkOf = (touched: Array<Map<number, CountTotal>>) =>
      checkTouchedStates({ redis: cluster.redis, prefix: cluster.config.redisPrefix, topology: cluster.name, partitions: opts.partitions, clients: shape.clients, touched, before: preload.stored, beforeRecord: preload.storedRecord });
    const checkStarted = Date.now();
    const exact = await checkOf([workload.stateExpected]);
    log(`taba-full: ${exact.problems.length === 0 ? 'exact' : `WRONG (${exact.wrongStates} states, ${exact.wrongRecords} records): ${exact.problems.join('; ')}`} over ${exact.states.toLocaleString('en-US')} touched states of ${exact.tabs.toLocaleString('en-US')} Tabs and their ${exact.records.toLocaleString('en-US')} records (checked in ${((Date.now() - checkStarted) / 1000).toFixed(1)} s)`);

    // Queries on the whole state, workers idle: through the Tab records, and merging client states as before them.
    const query = await measureQueries({ redisUrl: opts.stack.redis, prefix: cluster.config.redisPrefix, topology: cluster.name, tabs: shape.tabs, baselineDeadlineMs: BASELINE_QUERY_DEADLINE_MS, baselineOneTabSamples: 5, cpuProfileDir: queryProfileDir(opts.cpuProfileDir) }, log);

    // Take-over: a trickle over every state keeps each partition receiving; one worker is killed with -9.
    const victim = cluster.workers[cluster.workers.length - 1]!;
    const survivor = cluster.workers[0]!;
    const moved = await cluster.partitionsOf(victim);
    const behind = await Promise.all(moved.map((p) => cluster.redis.hlen(partitionKeys(cluster.config.redisPrefix, cluster.name, p).states)));
    const trickled = new Map<number, CountTotal>();
    const random = new SeededRandom(11);
    const writer = new TopicWriter(opts.stack.brokers, topic);
    const trickle = startTrickle(writer, opts.partitions, () => {
      const t = Math.floor(random.next() * shape.tabs);
      const c = Math.floor(random.next() * shape.clients);
      const type = tabType(t);
      const value = type === 'unique' ? `user-${c}` : type === 'percentile' ? 0.5 : 1;
      const at = stateIndex(shape, t, c);
      const e = trickled.get(at) ?? { count: 0, total: 0 };
      e.count++;
      e.total += type === 'counter' || type === 'percentile' ? (value as number) : 0;
      trickled.set(at, e);
      const event = { tab: tabName(t), type, client: clientName(c), value, time: Date.now() };
      return { key: event.tab, value: Buffer.from(JSON.stringify([event])) };
    });
    let takeover: { claimedMs: number; recoveryMs: number };
    let sent: number;
    try {
      // Both workers flushing trickled events first, so "processed again" is the survivor's doing.
      const start = await cluster.progress();
      await until('the trickle to reach every partition', async () => (await cluster.progress()).every((p, i) => p.flushed > start[i]!.flushed), 60_000);
      log(`taba-full: killing ${victim.opts.id} (partitions ${moved.join(', ')}, ${behind.reduce((a, b) => a + b, 0).toLocaleString('en-US')} states behind them)`);
      takeover = await killAndTimeTakeover(cluster, victim, moved);
    } finally {
      sent = await trickle.stop();
      await writer.close().catch(() => writer.kill());
    }
    log(`taba-full: kill -9 → claimed ${takeover.claimedMs} ms, processed again ${takeover.recoveryMs} ms; ${sent} trickled messages`);
    const ends = await topicEndOffsets([opts.stack.brokers], topic);
    await until('the survivor to fold every trickled event', async () => (await cluster.flushedPerPartition()).every((f, p) => f >= (ends.get(p) ?? 0)), 120_000);
    const survivorPeak = survivor.peakRssBytes();
    const survivorSet = await workerFigures(survivor);
    const after = await checkOf([workload.stateExpected, trickled]);
    log(`taba-full: after the take-over ${after.problems.length === 0 ? 'exact' : `WRONG (${after.wrongStates} states): ${after.problems.join('; ')}`} over ${after.states.toLocaleString('en-US')} touched states; survivor peak RSS ${mib(survivorPeak)} MiB`);

    // The survivor drains and writes its profile (the victim, killed, writes none).
    await cluster.close();
    const profile = opts.cpuProfileDir === undefined ? undefined : survivorProfile(opts.cpuProfileDir, log);
    return {
      states,
      rss_mib_per_worker: runPeaks.map(mib),
      takeover_ms: takeover.recoveryMs,
      e2e_events_per_s: e2e,
      shape: shape.name,
      tabs: shape.tabs,
      clients: shape.clients,
      type_mix: 'of every 10 Tabs 6 counter, 2 percentile, 1 unique, 1 gauge',
      events: topicLoad.events,
      messages: topicLoad.messages,
      events_per_message: topicLoad.events / topicLoad.messages,
      states_touched: workload.stateExpected.size,
      topic_load_s: topicLoad.seconds,
      preload: {
        seconds: preload.seconds,
        states_per_s: preload.states / preload.seconds,
        events_per_state: preload.events / preload.states,
        bytes_per_state_by_type: preload.bytesByType,
        redis_used_memory_mib: mib(preload.redisUsedMemoryBytes),
      },
      run_s: (run.doneAt - run.firstAt) / 1000,
      events_per_s_by_10_s: timeline,
      events_per_s_by_10_s_per_worker: timelinePerWorker,
      ...(aof && { redis_aof: aof }),
      wall_s: (run.doneAt - activated) / 1000,
      working_set_budget_mib: plan.workingSetMiB ?? cluster.config.workingSetMiB,
      workers: runWorkingSets.map((w, i) => ({ peak_rss_mib: mib(runPeaks[i]!), states_fetched: w.fetched, states_evicted: w.evicted, working_set_mib: Math.round(w.working_set_mib), gc_s: w.gc_s, cpu_s: w.cpu_s })),
      exact: exact.problems.length === 0,
      problems: exact.problems,
      states_checked: exact.states,
      records_checked: exact.records,
      query,
      takeover: {
        session_timeout_ms: cluster.config.sessionTimeoutMs,
        partitions_moved: moved.length,
        states_behind: behind.reduce((a, b) => a + b, 0),
        claimed_ms: takeover.claimedMs,
        processed_ms: takeover.recoveryMs,
        survivor_peak_rss_mib: mib(survivorPeak),
        survivor_states_fetched: survivorSet.fetched,
        survivor_states_evicted: survivorSet.evicted,
        exact_after: after.problems.length === 0,
        problems_after: after.problems,
        states_checked_after: after.states,
      },
      ...(profile && { survivor_profile_shares: profile }),
    };
  } finally {
    await cluster.close();
  }
}
