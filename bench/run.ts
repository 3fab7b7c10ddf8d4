// npm run bench [-- --quick] [-- --profile] [-- --only taba-full]: Tabstream
// end to end against baselines measured in the same run on the same topics
// (the raw-read ceiling: the workers' reader alone, a Kafka Streams peer, a
// naive consumer), then latency, recovery, memory, and Taba's full
// production state preloaded in Redis (taba-full; `--only taba-full` runs
// that alone). The peer runs in every variant of bench/peer-variants.ts and
// the ratio is to the best (issue 16); `--only peers` runs those variants and
// Tabstream's two workers alone on the production shape (`--profile` then
// records the best variant once with JFR); `--only latency` runs the
// per-flush-interval table (throughput and p99 at 100, 250, 1000 ms) and the
// hot path's floor ratio alone. Starts its own stack (.stack-bench/, ports 32181/39092/36379,
// or TABSTREAM_BENCH_ZK_PORT / _KAFKA_PORT / _REDIS_PORT) and stops it at the
// end (--profile's CPU profiles go with it unless TABSTREAM_BENCH_PROFILE_DIR
// names a place to keep them); prints a table, writes
// bench/results/<time>.json and (full runs only) refreshes docs/benchmarks.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { BENCH_ROOT, BENCH_STACK, startBenchStack, stopBenchStack } from './bench-stack';
import { benchPlan } from './bench-plan';
import type { BenchResults, BenchRunInfo, FlushIntervalFigures, LatencyOnlyResults, PeerComparison, PeersOnlyResults, QueryHeadline, RunRow, TabaFullFigures, TabaFullOnlyResults } from './bench-results';
import { refreshDocs, renderConsole, renderLatencyOnly, renderPeersOnly, renderTabaFullOnly, writeResults } from './bench-report';
import { measureFlushIntervals } from './flush-intervals';
import { headlineLatency } from './latency-headline';
import { measureHotPath } from './hot-path-figures';
import { summarizeJfr } from './jfr-summary';
import { kafkaStreamsThroughput } from './kafka-streams-peer';
import { PEER_VARIANTS, variantConfig, type PeerVariant } from './peer-variants';
import { createLoadedTopic, type LoadedTopic } from './loaded-topic';
import { naiveConsume } from './naive-consumer';
import { ensurePeerJar } from './peer-jar';
import { WORKER_GROUPS, groupShares, readProfile, selfTimeRows } from './profile-summary';
import { rawConsume } from './raw-consume';
import { measureRecovery } from './recovery';
import { measureTabaFull } from './taba-full';
import { tabstreamThroughput, type ThroughputResult } from './tabstream-throughput';

const args = process.argv.slice(2);
const plan = benchPlan(args.includes('--quick'));
const profiling = args.includes('--profile');
/** Where --profile's CPU profiles go: under the stack's dir (deleted with it at the end) unless TABSTREAM_BENCH_PROFILE_DIR names a place to keep them. */
const profileRoot = process.env.TABSTREAM_BENCH_PROFILE_DIR ?? join(BENCH_STACK.dir, 'profiles');
const onlyAt = args.indexOf('--only');
const only = onlyAt < 0 ? undefined : args[onlyAt + 1];
if (only !== undefined && only !== 'taba-full' && only !== 'peers' && only !== 'latency') {
  process.stderr.write(`bench: --only takes taba-full, peers or latency, not ${only ?? 'nothing'}\n`);
  process.exit(2);
}
const started = Date.now();
const log = (line: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
const timestamp = new Date().toISOString();
const loadStart = loadavg();

function commitOf(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: BENCH_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', 'contracts', 'bolts', 'state', 'topology', 'spouts'], { cwd: BENCH_ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}

function javaVersion(): string {
  // `java -version` writes to stderr.
  const out = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return `${out.stderr ?? ''}${out.stdout ?? ''}`.split('\n')[0]?.trim() || 'java (version unknown)';
}

const runs: RunRow[] = [];
const ceilings = new Map<string, number>();

/** Records a measurement; repeated ones of the same system, shape and config add a sample, and the best counts. */
function addRun(row: Omit<RunRow, 'ceiling_ratio' | 'samples' | 'steady_samples'>): void {
  const steady = row.steady_events_per_s === undefined ? '' : ` (steady slice ${Math.round(row.steady_events_per_s).toLocaleString('en-US')})`;
  log(`${row.system} ${row.shape} ${row.config}: ${Math.round(row.events_per_s).toLocaleString('en-US')} events/s${steady}${row.rebalances_in_run ? `, ${row.rebalances_in_run} rebalance(s) in the run` : ''}${row.exact === false ? ` WRONG: ${row.problems?.join('; ')}` : ''}`);
  if (row.system === 'ceiling') ceilings.set(row.shape, Math.max(ceilings.get(row.shape) ?? 0, row.events_per_s));
  const same = runs.find((r) => r.system === row.system && r.shape === row.shape && r.config === row.config);
  if (same === undefined) {
    runs.push({ ...row, samples: [row.events_per_s], ...(row.steady_events_per_s === undefined ? {} : { steady_samples: [row.steady_events_per_s] }), ceiling_ratio: Number.NaN });
    return;
  }
  same.samples!.push(row.events_per_s);
  same.events_per_s = Math.max(same.events_per_s, row.events_per_s);
  if (row.steady_events_per_s !== undefined) {
    same.steady_samples = [...(same.steady_samples ?? []), row.steady_events_per_s];
    same.steady_events_per_s = Math.max(same.steady_events_per_s ?? 0, row.steady_events_per_s);
  }
  if (row.rebalances_in_run !== undefined) same.rebalances_in_run = (same.rebalances_in_run ?? 0) + row.rebalances_in_run;
  if (row.exact === false) same.exact = false;
  if (row.problems?.length) same.problems = [...(same.problems ?? []), ...row.problems];
}

function newestProfile(dir: string): string | undefined {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(dir, f))
      .sort((a, b) => statSync(b).size - statSync(a).size)[0];
  } catch {
    return undefined;
  }
}

function runInfo(): BenchRunInfo {
  return {
    timestamp,
    commit: commitOf(),
    mode: plan.mode,
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memory_gib: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      java: javaVersion(),
      kafka: '3.9.2 (broker), kafka-streams 3.9.2',
    },
    load_average: { start: loadStart, end: loadavg() },
  };
}

/** Writes the results, refreshes the docs on full runs, prints the table. */
function finish(results: BenchResults | TabaFullOnlyResults | PeersOnlyResults | LatencyOnlyResults, table: string): void {
  const file = writeResults(results);
  // A quick run's scaled-down figures never replace the full ones in the docs.
  if (plan.mode === 'full') refreshDocs(results);
  const wrote = plan.mode === 'full' ? `${file.slice(BENCH_ROOT.length)} and docs/benchmarks.md` : file.slice(BENCH_ROOT.length);
  process.stdout.write(`${table}\n\nwrote ${wrote} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

const stack = await startBenchStack(log);
const addresses = { zk: stack.zk, brokers: stack.brokers, redis: stack.redis };
try {
  // The topic writer of every shape is in the peer's jar.
  await ensurePeerJar(log);
  const tabaFullProfile = profiling ? join(profileRoot, `taba-full-${Date.now().toString(36)}`) : undefined;
  if (only === 'peers') {
    await peersOnly();
  } else if (only === 'latency') {
    await latencyOnly();
  } else if (only === 'taba-full') {
    const tabaFull = await measureTabaFull({ stack: addresses, plan: plan.tabaFull, partitions: plan.partitions, log, cpuProfileDir: tabaFullProfile });
    const results: TabaFullOnlyResults = { ...runInfo(), only: 'taba-full', taba_full: tabaFull, ...queryHeadline(tabaFull) };
    finish(results, renderTabaFullOnly(results));
  } else {
    const suffix = Date.now().toString(36);
    const topics: Record<'production' | 'small', LoadedTopic> = {} as Record<'production' | 'small', LoadedTopic>;
    for (const key of ['production', 'small'] as const) {
      const shape = plan[key];
      log(`loading ${shape.name}: ${shape.events.toLocaleString('en-US')} events, ${shape.tabs} Tabs × ${shape.clients} clients`);
      topics[key] = await createLoadedTopic(stack.brokers, `bench-${key}-${suffix}`, plan.partitions, shape);
      log(`loaded in ${topics[key].load.seconds.toFixed(1)} s`);
    }

    const tabstream = new Map<string, ThroughputResult>();
    let profile: BenchResults['profile'];
    for (const key of ['production', 'small'] as const) {
      const loaded = topics[key];
      const shape = loaded.shape.name;
      // Every system runs `repeats` times, interleaved, and its best run counts (the machine is shared).
      for (let rep = 0; rep < plan.repeats; rep++) {
        // Two reads a round: a ceiling measured low would flatter every ratio.
        for (let read = 0; read < 2; read++) {
          const c = await rawConsume([stack.brokers], loaded.topic);
          addRun({ system: 'ceiling', shape, config: 'raw read (PartitionReader, @platformatic/kafka, no group), decode nothing', events_per_s: c.messagesPerSecond * loaded.eventsPerMessage, exact: null });
        }
        for (const workers of plan.workerCounts) {
          const profileDir = profiling && key === 'production' && workers === 1 && rep === 0 ? join(profileRoot, suffix) : undefined;
          const r = await tabstreamThroughput({ stack: addresses, loaded, workers, cpuProfileDir: profileDir });
          if (!tabstream.has(`${key}:${workers}`)) tabstream.set(`${key}:${workers}`, r);
          addRun({
            system: 'tabstream',
            shape,
            config: `${workers} worker${workers > 1 ? 's' : ''}`,
            workers,
            events_per_s: r.eventsPerSecond,
            steady_events_per_s: r.steadyEventsPerSecond,
            exact: r.problems.length === 0,
            problems: r.problems,
            states: r.sizes.states,
            rss_bytes: r.rssBytes.reduce((a, b) => a + b, 0),
            wall_s: r.wallSeconds,
          });
          const file = profileDir && newestProfile(profileDir);
          if (file) {
            const kept = join(BENCH_ROOT, 'bench/results', `${timestamp.replace(/[:.]/g, '-')}-worker.cpuprofile`);
            mkdirSync(join(BENCH_ROOT, 'bench/results'), { recursive: true });
            copyFileSync(file, kept);
            const p = readProfile(file);
            profile = { file: kept.slice(BENCH_ROOT.length), top: selfTimeRows(p, 15), shares: groupShares(p, WORKER_GROUPS) };
          }
        }
        for (const variant of inRepeatOrder(variantsNamed(plan.peerVariants[key]), rep)) await peerRun(loaded, variant);
      }
    }
    const production = topics.production;
    const naive = await naiveConsume({ brokers: [stack.brokers], redis: stack.redis, topic: production.topic, maxMessages: plan.naiveMessages });
    addRun({ system: 'naive', shape: production.shape.name, config: `HINCRBY per event, first ${naive.events.toLocaleString('en-US')} events`, events_per_s: naive.eventsPerSecond, exact: null });

    for (const row of runs) row.ceiling_ratio = row.events_per_s / (ceilings.get(row.shape) ?? Number.NaN);
    const best = (system: RunRow['system'], shape: string) => Math.max(...runs.filter((r) => r.system === system && r.shape === shape).map((r) => r.events_per_s));
    const prodShape = production.shape.name;
    const e2e = best('tabstream', prodShape);
    const bestWorkers = runs.find((r) => r.system === 'tabstream' && r.shape === prodShape && r.events_per_s === e2e)!.workers!;
    log(`flush intervals ${plan.flushIntervalsMs.join(', ')} ms with ${bestWorkers} worker(s)`);
    const intervals = await flushIntervalFigures(production, bestWorkers);
    const headline = intervals.flush_intervals.find((r) => r.flush_interval_ms === intervals.p99_latency_flush_interval_ms)!;
    log('hot path (bench/hot-path.ts)');
    const hotPath = measureHotPath();
    log(`hot path: ${Math.round(hotPath.task_events_per_cpu_s).toLocaleString('en-US')} events per CPU-second, ${hotPath.floor_ratio.toFixed(3)} of the byte-scan floor`);
    const recovery = [];
    for (const session of plan.recoverySessions) {
      const r = await measureRecovery({ stack: addresses, partitions: plan.partitions, sessionTimeoutMs: session });
      log(`recovery with a ${r.sessionTimeoutMs} ms session: claimed ${r.claimedMs} ms, processed again ${r.recoveryMs} ms`);
      recovery.push({ session_timeout_ms: r.sessionTimeoutMs, partitions_moved: r.partitionsMoved, claimed_ms: r.claimedMs, recovery_ms: r.recoveryMs });
    }
    const tabaFull = await measureTabaFull({ stack: addresses, plan: plan.tabaFull, partitions: plan.partitions, log, cpuProfileDir: tabaFullProfile });

    const prod1 = tabstream.get('production:1')!;
    const small1 = tabstream.get('small:1')!;
    const comparison = peerComparison(prodShape);
    const results: BenchResults = {
      ...runInfo(),
      shapes: Object.fromEntries(
        Object.values(topics).map((t) => [t.shape.name, { tabs: t.shape.tabs, clients: t.shape.clients, events: t.events, messages: t.messages, events_per_message: t.eventsPerMessage, load_s: t.load.seconds }]),
      ),
      runs,
      e2e_events_per_s: e2e,
      ceiling_events_per_s: ceilings.get(prodShape)!,
      ceiling_ratio: e2e / ceilings.get(prodShape)!,
      ...comparison,
      naive_events_per_s: naive.eventsPerSecond,
      naive_ratio: e2e / naive.eventsPerSecond,
      latency_offered_events_per_s: headline.latency_offered_events_per_s,
      latency_sent_events_per_s: headline.latency_sent_events_per_s,
      p50_latency_ms: headline.p50_latency_ms,
      p99_latency_ms: headline.p99_latency_ms,
      max_latency_ms: headline.max_latency_ms,
      ...intervals,
      recovery,
      recovery_ms: recovery[0]!.recovery_ms,
      recovery_ms_low_session: recovery[1]?.recovery_ms ?? Number.NaN,
      bytes_per_counter_state: prod1.sizes.meanBytesByType.counter ?? Number.NaN,
      bytes_per_state_by_type: prod1.sizes.meanBytesByType,
      redis_bytes_per_state: prod1.sizes.redisBytesPerState,
      rss_bytes_per_million_states: ((prod1.rssBytes[0]! - small1.rssBytes[0]!) / (prod1.sizes.states - small1.sizes.states)) * 1e6,
      profile,
      taba_full: tabaFull,
      ...queryHeadline(tabaFull),
      hot_path: hotPath,
      floor_ratio: hotPath.floor_ratio,
    };
    finish(results, renderConsole(results));
  }
} finally {
  await stopBenchStack(log).catch((err: Error) => log(`could not stop the bench stack: ${err.message}`));
}

/** The variants with these names, in PEER_VARIANTS' order. */
function variantsNamed(names: string[]): PeerVariant[] {
  return PEER_VARIANTS.filter((v) => names.includes(v.name));
}

/** Odd repetitions run the variants in reverse, so none always runs first or last as the machine's load moves. */
function inRepeatOrder<T>(items: T[], rep: number): T[] {
  return rep % 2 === 0 ? items : [...items].reverse();
}

/** One run of a peer variant, recorded as a row of the runs table. */
async function peerRun(loaded: LoadedTopic, variant: PeerVariant): Promise<void> {
  const r = await kafkaStreamsThroughput({ brokers: stack.brokers, loaded, variant });
  addRun({
    system: 'kafka-streams',
    shape: loaded.shape.name,
    config: variantConfig(variant),
    events_per_s: r.eventsPerSecond,
    steady_events_per_s: r.steadyEventsPerSecond,
    exact: r.problems.length === 0,
    problems: r.problems,
    states: r.states,
    rss_bytes: r.rssBytes,
    rebalances_in_run: r.rebalancesInRun,
  });
}

/**
 * Tabstream against the best tuned peer variant measured in this run on `shape` (issue 16):
 * both timed over the steady slice for the headline ratio, and over the whole run beside it.
 */
function peerComparison(shape: string): PeerComparison {
  const peerRows = runs.filter((r) => r.system === 'kafka-streams' && r.shape === shape);
  const rowOf = (v: PeerVariant) => peerRows.find((r) => r.config === variantConfig(v));
  const measured = PEER_VARIANTS.filter((v) => rowOf(v) !== undefined);
  const baseline = rowOf(PEER_VARIANTS[0]!);
  const variants = measured.map((v) => {
    const row = rowOf(v)!;
    return {
      name: v.name,
      step: v.step,
      adds: v.adds,
      config: row.config,
      events_per_s: row.events_per_s,
      steady_events_per_s: row.steady_events_per_s ?? Number.NaN,
      samples: row.samples ?? [row.events_per_s],
      steady_samples: row.steady_samples ?? [],
      exact: row.exact === true,
      ratio_to_baseline: (row.steady_events_per_s ?? Number.NaN) / (baseline?.steady_events_per_s ?? Number.NaN),
      rebalances_in_run: row.rebalances_in_run ?? 0,
    };
  });
  const exactOnes = variants.filter((v) => v.exact);
  const best = exactOnes.reduce((a, b) => (b.steady_events_per_s > a.steady_events_per_s ? b : a), exactOnes[0] ?? variants[0]!);
  const tabstreamRows = runs.filter((r) => r.system === 'tabstream' && r.shape === shape && r.exact === true);
  const tabstreamSteady = Math.max(...tabstreamRows.map((r) => r.steady_events_per_s ?? Number.NaN));
  const tabstreamWhole = Math.max(...tabstreamRows.map((r) => r.events_per_s));
  const bestWhole = Math.max(...exactOnes.map((v) => v.events_per_s));
  return {
    peer_variants: variants,
    best_peer_variant: best.name,
    e2e_steady_events_per_s: tabstreamSteady,
    kafka_streams_events_per_s: best.steady_events_per_s,
    kafka_streams_ratio: tabstreamSteady / best.steady_events_per_s,
    kafka_streams_ratio_whole_run: tabstreamWhole / bestWhole,
  };
}

/** The per-interval table (throughput, then latency at half and a quarter of the best of it) and its headline p99. */
async function flushIntervalFigures(loaded: LoadedTopic, workers: number): Promise<FlushIntervalFigures> {
  const rows = await measureFlushIntervals({ stack: addresses, loaded, workers, intervalsMs: plan.flushIntervalsMs, repeats: plan.flushIntervalRepeats, latency: plan.latency, log });
  const headline = headlineLatency(rows);
  return { flush_intervals: rows, p99_latency_flush_interval_ms: headline.flush_interval_ms, p99_latency_holds_1m: headline.holds_rate };
}

/** `--only latency`: the per-interval table on the production shape with 2 workers, and the hot path's floor ratio. */
async function latencyOnly(): Promise<void> {
  const shape = plan.production;
  log(`loading ${shape.name}: ${shape.events.toLocaleString('en-US')} events, ${shape.tabs} Tabs × ${shape.clients} clients`);
  const loaded = await createLoadedTopic(stack.brokers, `bench-latency-${Date.now().toString(36)}`, plan.partitions, shape);
  log(`loaded in ${loaded.load.seconds.toFixed(1)} s`);
  const intervals = await flushIntervalFigures(loaded, 2);
  log('hot path (bench/hot-path.ts)');
  const hotPath = measureHotPath();
  const headline = intervals.flush_intervals.find((r) => r.flush_interval_ms === intervals.p99_latency_flush_interval_ms)!;
  const results: LatencyOnlyResults = {
    ...runInfo(),
    only: 'latency',
    shapes: { [shape.name]: { tabs: shape.tabs, clients: shape.clients, events: loaded.events, messages: loaded.messages, events_per_message: loaded.eventsPerMessage, load_s: loaded.load.seconds } },
    ...intervals,
    p99_latency_ms: headline.p99_latency_ms,
    hot_path: hotPath,
    floor_ratio: hotPath.floor_ratio,
  };
  finish(results, renderLatencyOnly(results));
}

/** `--only peers`: every peer variant and Tabstream's two workers on the production shape (4× its events), repeated and interleaved; `--profile` records the best variant once more with JFR. */
async function peersOnly(): Promise<void> {
  const shape = plan.peersOnly;
  log(`loading ${shape.name}: ${shape.events.toLocaleString('en-US')} events, ${shape.tabs} Tabs × ${shape.clients} clients`);
  const loaded = await createLoadedTopic(stack.brokers, `bench-peers-${Date.now().toString(36)}`, plan.partitions, shape);
  log(`loaded in ${loaded.load.seconds.toFixed(1)} s`);
  for (let rep = 0; rep < plan.repeats; rep++) {
    for (let read = 0; read < 2; read++) {
      const c = await rawConsume([stack.brokers], loaded.topic);
      addRun({ system: 'ceiling', shape: shape.name, config: 'raw read (PartitionReader, @platformatic/kafka, no group), decode nothing', events_per_s: c.messagesPerSecond * loaded.eventsPerMessage, exact: null });
    }
    const workers = 2;
    const t = await tabstreamThroughput({ stack: addresses, loaded, workers });
    addRun({ system: 'tabstream', shape: shape.name, config: `${workers} workers`, workers, events_per_s: t.eventsPerSecond, steady_events_per_s: t.steadyEventsPerSecond, exact: t.problems.length === 0, problems: t.problems, states: t.sizes.states, rss_bytes: t.rssBytes.reduce((a, b) => a + b, 0), wall_s: t.wallSeconds });
    for (const variant of inRepeatOrder(variantsNamed(plan.peerVariants.production), rep)) await peerRun(loaded, variant);
  }
  for (const row of runs) row.ceiling_ratio = row.events_per_s / (ceilings.get(row.shape) ?? Number.NaN);
  const comparison = peerComparison(shape.name);
  if (profiling) {
    const variant = PEER_VARIANTS.find((v) => v.name === comparison.best_peer_variant)!;
    const dir = join(profileRoot, `peer-${Date.now().toString(36)}`);
    log(`profiling ${variant.name} with JFR`);
    const r = await kafkaStreamsThroughput({ brokers: stack.brokers, loaded, variant, jfrDir: dir });
    log(`under JFR: ${Math.round(r.eventsPerSecond).toLocaleString('en-US')} events/s (steady slice ${Math.round(r.steadyEventsPerSecond).toLocaleString('en-US')}), ${r.problems.length === 0 ? 'exact' : 'WRONG'}`);
    mkdirSync(join(BENCH_ROOT, 'bench/results'), { recursive: true });
    const files = r.jfrFiles.map((f, i) => {
      const kept = join(BENCH_ROOT, 'bench/results', `${timestamp.replace(/[:.]/g, '-')}-peer-${i}.jfr`);
      copyFileSync(f, kept);
      return kept;
    });
    comparison.peer_profile = { variant: variant.name, files: files.map((f) => f.slice(BENCH_ROOT.length)), summary: files.map((f) => summarizeJfr(f, 15, { from: r.window.firstAt, to: r.window.doneAt })) };
  }
  const results: PeersOnlyResults = {
    ...runInfo(),
    only: 'peers',
    shapes: { [shape.name]: { tabs: shape.tabs, clients: shape.clients, events: loaded.events, messages: loaded.messages, events_per_message: loaded.eventsPerMessage, load_s: loaded.load.seconds } },
    runs,
    e2e_events_per_s: Math.max(...runs.filter((r) => r.system === 'tabstream' && r.exact === true).map((r) => r.events_per_s)),
    ...comparison,
  };
  finish(results, renderPeersOnly(results));
}

/** The figures issue 12 asks the results to carry at the top: `query: {one_tab_p99_ms, hundred_tabs_ms, all_tabs_ms}`. */
function queryHeadline(f: TabaFullFigures): { query?: QueryHeadline } {
  const q = f.query;
  return q === undefined ? {} : { query: { one_tab_p99_ms: q.one_tab_p99_ms, hundred_tabs_ms: q.hundred_tabs_ms, all_tabs_ms: q.all_tabs_ms } };
}
