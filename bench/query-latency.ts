// How long aggregates take on a shape's full state (issue 12): one Tab (a
// random one, many times: p50 and p99), a dashboard of 100 Tabs, and every
// Tab. Each is measured through the Tab records (what an aggregate across
// all clients reads now: one state per Tab and its client count) and, as the
// baseline in the same run, through the clients' states merged at read time
// (what every aggregate did before records; a client pattern that matches
// every client, `.+`, still takes that path), on the same Redis and data.
// It runs in a process of its own (`measureQueries`), as `serve` would: the
// bench's process holds the run's expectations, whose collections would
// pause the queries.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { redisClient, type RedisConnection } from '../state/redis-client';
import { defaultRegistry } from '../tabs/handlers/registry';
import { QueryBudget } from '../state/query-budget';
import { exactName } from '../state/user-pattern';
import { RedisStateStore } from '../state/redis-state-store';
import { TabQuery } from '../state/tab-query';
import { tabName } from './workload';
import { BENCH_ROOT } from './bench-stack';

export interface QueryFigures {
  one_tab_p50_ms: number;
  one_tab_p99_ms: number;
  hundred_tabs_ms: number;
  all_tabs_ms: number;
  /** A bare PING's round trip, interleaved with the one-Tab samples: what Redis and the machine cost each round at that moment. */
  redis_ping_p50_ms: number;
  redis_ping_p99_ms: number;
  /** Whether Redis was rewriting its append-only file or saving a snapshot when the one-Tab samples began or ended. */
  redis_busy: string;
  /** The same queries merging the client states (before records); null where it ran past its deadline. */
  merging_clients: { one_tab_p50_ms: number | null; one_tab_max_ms: number | null; one_tab_samples: number; hundred_tabs_ms: number | null; all_tabs_ms: number | null; deadline_ms: number };
}

/** Every client matches, but not as `.*`: the query merges client states instead of reading records. */
const EVERY_CLIENT = '.+';
const ONE_TAB_SAMPLES = 1000;
const WARM_UP = 200;
const REPEATS = 5;

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const median = (xs: number[]): number => quantile([...xs].sort((a, b) => a - b), 0.5);

export async function queryLatency(opts: {
  redis: RedisConnection;
  prefix: string;
  topology: string;
  tabs: number;
  /** Past this a baseline query is given up (it reads every state of a partition, or all of them). */
  baselineDeadlineMs: number;
  baselineOneTabSamples: number;
  log: (line: string) => void;
}): Promise<QueryFigures> {
  const store = new RedisStateStore(opts.redis, { prefix: opts.prefix });
  const registry = defaultRegistry();
  const query = (deadlineMs = 2 ** 31) => new TabQuery(store, registry, opts.topology, new QueryBudget({ deadlineMs, maxStates: Infinity, maxNames: Infinity, maxTabs: Infinity, maxResponseBytes: Infinity }));
  const timed = async (run: () => Promise<Record<string, unknown>>, expectTabs: number): Promise<number> => {
    const started = performance.now();
    const answer = await run();
    const ms = performance.now() - started;
    const got = Object.keys(answer).length;
    if (got !== expectTabs) throw new Error(`query answered ${got} Tabs, expected ${expectTabs}`);
    return ms;
  };
  /** The baseline, or null past its deadline. */
  const baseline = async (run: () => Promise<Record<string, unknown>>, expectTabs: number): Promise<number | null> => {
    try {
      return await timed(run, expectTabs);
    } catch (err) {
      if ((err as { exceeded?: string }).exceeded === 'deadline') return null;
      throw err;
    }
  };
  // One Tab by its exact name (its dots escaped: `counter\.123`), as the dashboard and clients ask for one Tab.
  const randomTab = (): string => exactName(tabName(Math.floor(Math.random() * opts.tabs)));
  // A dashboard: Tabs 100..199 of every type (`counter.100`, `percentile.106`, ...).
  const dashboard = '[a-z]+\\.1[0-9][0-9]';
  const dashboardTabs = Math.min(100, Math.max(0, opts.tabs - 100));

  // Warm-up (the engine compiles the query path), not counted.
  for (let i = 0; i < WARM_UP; i++) await timed(() => query().aggregate(randomTab()), 1);
  const busy = async (): Promise<string> => {
    const info = String(await opts.redis.call('INFO', 'persistence'));
    const flag = (name: string) => new RegExp(`^${name}:1`, 'm').test(info);
    return [flag('aof_rewrite_in_progress') ? 'AOF rewrite' : '', flag('rdb_bgsave_in_progress') ? 'RDB save' : ''].filter(Boolean).join(' + ') || 'idle';
  };
  const busyBefore = await busy();
  const one: number[] = [];
  const pings: number[] = [];
  for (let i = 0; i < ONE_TAB_SAMPLES; i++) {
    one.push(await timed(() => query().aggregate(randomTab()), 1));
    const started = performance.now();
    await opts.redis.ping();
    pings.push(performance.now() - started);
  }
  one.sort((a, b) => a - b);
  pings.sort((a, b) => a - b);
  const busyAfter = await busy();
  const redisBusy = busyBefore === busyAfter ? busyBefore : `${busyBefore}, then ${busyAfter}`;
  opts.log(`query: a bare Redis PING meanwhile p50 ${quantile(pings, 0.5).toFixed(2)} ms, p99 ${quantile(pings, 0.99).toFixed(2)} ms; Redis persistence: ${redisBusy}`);
  const hundred: number[] = [];
  for (let i = 0; i < REPEATS; i++) hundred.push(await timed(() => query().aggregate(dashboard), dashboardTabs));
  const all: number[] = [];
  for (let i = 0; i < REPEATS; i++) all.push(await timed(() => query().aggregate('.*'), opts.tabs));
  opts.log(`query: one Tab p50 ${quantile(one, 0.5).toFixed(2)} ms, p99 ${quantile(one, 0.99).toFixed(2)} ms; 100 Tabs ${median(hundred).toFixed(1)} ms; all ${opts.tabs} Tabs ${median(all).toFixed(0)} ms (Tab records)`);

  const deadline = opts.baselineDeadlineMs;
  const oneBefore: number[] = [];
  for (let i = 0; i < opts.baselineOneTabSamples; i++) {
    const ms = await baseline(() => query(deadline).aggregate(randomTab(), EVERY_CLIENT), 1);
    if (ms === null) break;
    oneBefore.push(ms);
  }
  const hundredBefore = await baseline(() => query(deadline).aggregate(dashboard, EVERY_CLIENT), dashboardTabs);
  const allBefore = await baseline(() => query(deadline).aggregate('.*', EVERY_CLIENT), opts.tabs);
  const show = (ms: number | null) => (ms === null ? `> ${deadline} ms` : `${ms.toFixed(0)} ms`);
  opts.log(`query: one Tab ${oneBefore.length > 0 ? `p50 ${median(oneBefore).toFixed(0)} ms over ${oneBefore.length}` : show(null)}; 100 Tabs ${show(hundredBefore)}; all Tabs ${show(allBefore)} (client states merged at read time)`);
  return {
    one_tab_p50_ms: quantile(one, 0.5),
    one_tab_p99_ms: quantile(one, 0.99),
    hundred_tabs_ms: median(hundred),
    all_tabs_ms: median(all),
    redis_ping_p50_ms: quantile(pings, 0.5),
    redis_ping_p99_ms: quantile(pings, 0.99),
    redis_busy: redisBusy,
    merging_clients: {
      one_tab_p50_ms: oneBefore.length > 0 ? median(oneBefore) : null,
      one_tab_max_ms: oneBefore.length > 0 ? Math.max(...oneBefore) : null,
      one_tab_samples: oneBefore.length,
      hundred_tabs_ms: hundredBefore,
      all_tabs_ms: allBefore,
      deadline_ms: deadline,
    },
  };
}

export interface QueryLatencyOptions {
  redisUrl: string;
  prefix: string;
  topology: string;
  tabs: number;
  /** Past this a baseline query is given up (it reads every state of a partition, or all of them). */
  baselineDeadlineMs: number;
  baselineOneTabSamples: number;
  /** Profile the query process (V8 --cpu-prof) into this directory. */
  cpuProfileDir?: string;
}

/** Runs queryLatency in a child process (this file as its entry point), relaying its log lines. */
export function measureQueries(opts: QueryLatencyOptions, log: (line: string) => void): Promise<QueryFigures> {
  const profile = opts.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfileDir}`];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(BENCH_ROOT, 'bench/query-latency.ts'), JSON.stringify(opts)], { cwd: BENCH_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let figures: QueryFigures | undefined;
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (line.startsWith('{')) figures = JSON.parse(line) as QueryFigures;
      else if (line !== '') log(line);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (figures !== undefined && code === 0 ? resolve(figures) : reject(new Error(`the query bench exited with ${code} before its figures`))));
  });
}

if (process.argv[1]?.endsWith('query-latency.ts') && process.argv[2] !== undefined) {
  const opts = JSON.parse(process.argv[2]) as QueryLatencyOptions;
  const redis = redisClient(opts.redisUrl, { timeoutMs: 10_000 });
  queryLatency({ ...opts, redis, log: (line) => process.stdout.write(`${line}\n`) })
    .then((figures) => process.stdout.write(`${JSON.stringify(figures)}\n`))
    .finally(() => redis.disconnect());
}
