// Printing and keeping a run: the table on stdout, the JSON in
// bench/results/, and the generated part of docs/benchmarks.md (between its
// `bench:latest` markers; the rest of that file is written by hand).
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResults, BenchRunInfo, FlushIntervalFigures, HotPathFigures, LatencyOnlyResults, PeerComparison, PeersOnlyResults, RunRow, TabaFullFigures, TabaFullOnlyResults } from './bench-results';
import { describeAofRewrites, describeWindowRewrites, type AofRewrite } from './aof-rewrite-watch';
import { describeLoopLag, type LoopLagFigures } from './event-loop-lag-watch';
import { describeStages, type StageFigures } from './stage-latency';
import type { JfrSummary } from './jfr-summary';
import { BENCH_ROOT } from './bench-stack';

const RESULTS_DIR = join(BENCH_ROOT, 'bench/results');
const DOC = join(BENCH_ROOT, 'docs/benchmarks.md');
const START = '<!-- bench:latest:start -->';
const END = '<!-- bench:latest:end -->';
const FULL_START = '<!-- bench:taba-full:start -->';
const FULL_END = '<!-- bench:taba-full:end -->';
const PEERS_START = '<!-- bench:peers:start -->';
const PEERS_END = '<!-- bench:peers:end -->';
const LATENCY_START = '<!-- bench:latency:start -->';
const LATENCY_END = '<!-- bench:latency:end -->';

const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const ratio = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const mib = (bytes: number): string => (Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(0)} MiB` : 'n/a');
const exact = (r: RunRow): string => (r.exact === null ? '-' : r.exact ? 'exact' : `WRONG (${r.problems?.[0] ?? ''})`);

function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Every run's figure when there were several, best first in the row. */
const samples = (row: RunRow): string => (row.samples && row.samples.length > 1 ? row.samples.map(int).join(', ') : '');

const RUN_HEADER = ['system', 'shape', 'config', 'events/s (best)', 'steady slice (best)', '÷ ceiling', 'aggregates', 'every run'];

function runRows(r: { runs: RunRow[] }): string[][] {
  return r.runs.map((row) => [row.system, row.shape, row.config, int(row.events_per_s), row.steady_events_per_s === undefined ? '-' : int(row.steady_events_per_s), ratio(row.ceiling_ratio), exact(row), samples(row)]);
}

const pct = (x: number): string => `${(x * 100).toFixed(0)} %`;

/** The peer's variants (issue 16), cumulative: each keeps the steps above it. */
function peerVariantRows(c: PeerComparison): string[][] {
  return c.peer_variants.map((v) => [
    v.step,
    v.name === c.best_peer_variant ? `**${v.name}**` : v.name,
    v.adds,
    int(v.events_per_s),
    int(v.steady_events_per_s),
    ratio(v.ratio_to_baseline),
    v.exact ? 'exact' : 'WRONG',
    v.steady_samples.map(int).join(', '),
    String(v.rebalances_in_run),
  ]);
}

const PEER_VARIANT_HEADER = ['step', 'variant (cumulative)', 'adds', 'events/s, whole run (best)', 'events/s, steady slice (best)', '÷ baseline (steady)', 'aggregates', 'every run (steady)', 'rebalances in run'];

function comparisonLine(c: PeerComparison): string {
  return `Tabstream's best end to end ${int(c.e2e_steady_events_per_s)} events/s over the steady slice ÷ the best variant (${c.best_peer_variant}, ${int(c.kafka_streams_events_per_s)}) = **${ratio(c.kafka_streams_ratio)}**; both over the whole run: ${ratio(c.kafka_streams_ratio_whole_run)}.`;
}

function jfrLines(s: JfrSummary, i: number): string[] {
  const shares = (m: Record<string, number>) => Object.entries(m).map(([k, v]) => `${k} ${pct(v)}`).join(', ');
  return [
    `JVM ${i}: ${int(s.samples)} execution samples over ${s.recording_s.toFixed(0)} s; JVM CPU ${pct(s.jvm_cpu)} and machine ${pct(s.machine_cpu)} of both cores (means of jdk.CPULoad); ${s.gc_count} collections, pauses ${pct(s.gc_pause_share)} of the time.`,
    '',
    `By part (first frame from the top in it): ${shares(s.parts)}.`,
    '',
    `By thread: ${shares(Object.fromEntries(Object.entries(s.threads).slice(0, 6)))}.`,
    '',
    markdownTable(['top of stack', 'method'], s.top.map((t) => [pct(t.share), `\`${t.method}\``])),
  ];
}

function peersSection(r: BenchRunInfo & PeerComparison, command: string): string {
  const m = r.machine;
  const parts = [
    `Latest run: ${r.timestamp} at commit \`${r.commit}\`, \`${command}\`. Machine: ${m.cpus} × ${m.cpu}, ${m.memory_gib} GiB; ${m.java}, ${m.kafka}. Load average ${r.load_average.start.map((l) => l.toFixed(1)).join('/')} at the start, ${r.load_average.end.map((l) => l.toFixed(1)).join('/')} at the end.`,
    '',
    markdownTable(PEER_VARIANT_HEADER, peerVariantRows(r)),
    '',
    comparisonLine(r),
  ];
  if (r.peer_profile) {
    parts.push('', `JFR profile of \`${r.peer_profile.variant}\` (one more run, not in the table; ${r.peer_profile.files.map((f) => `\`${f}\``).join(', ')}):`, '');
    r.peer_profile.summary.forEach((s, i) => parts.push(...jfrLines(s, i), ''));
  }
  return parts.join('\n').trimEnd();
}

function targetRows(r: BenchResults): string[][] {
  const check = (ok: boolean) => (ok ? 'met' : 'missed');
  return [
    ['end to end (production shape, best)', `${int(r.e2e_events_per_s)} events/s`, '≥ 1,000,000', check(r.e2e_events_per_s >= 1_000_000)],
    [r.best_peer_variant === undefined ? '÷ Kafka Streams (best)' : `÷ Kafka Streams (best tuned variant, ${r.best_peer_variant}; steady slice)`, ratio(r.kafka_streams_ratio), '≥ 1.0', check(r.kafka_streams_ratio >= 1)],
    ['÷ naive HINCRBY consumer', ratio(r.naive_ratio), '-', '-'],
    ...(r.flush_intervals === undefined
      ? [[`p99 latency at ${int(r.latency_sent_events_per_s)} events/s`, `${int(r.p99_latency_ms)} ms`, '≤ 1,500 ms', check(r.p99_latency_ms <= 1500)]]
      : [latencyTargetRow(r as FlushIntervalFigures & { p99_latency_ms: number })]),
    ...(r.hot_path === undefined ? [] : [floorTargetRow(r.hot_path)]),
    ['bytes per counter state (serialized)', `${int(r.bytes_per_counter_state)}`, '≤ 256', check(r.bytes_per_counter_state <= 256)],
    ['recovery after kill -9 (default session)', `${int(r.recovery_ms)} ms`, '-', '-'],
    ['recovery after kill -9 (1 s session)', `${int(r.recovery_ms_low_session)} ms`, '-', '-'],
  ];
}

/** Issue 16's latency target: p99 ≤ 300 ms at half the best rate, at the shortest interval holding 1 M events/s. */
const P99_TARGET_MS = 300;
const FLOOR_TARGET = 0.5;

function latencyTargetRow(r: FlushIntervalFigures & { p99_latency_ms: number }): string[] {
  const row = r.flush_intervals.find((x) => x.flush_interval_ms === r.p99_latency_flush_interval_ms)!;
  const where = r.p99_latency_holds_1m ? `the shortest interval holding 1 M events/s: ${int(row.flush_interval_ms)} ms` : `no interval held 1 M events/s; the fastest: ${int(row.flush_interval_ms)} ms`;
  return [`p99 event → queryable at ${int(row.latency_sent_events_per_s)} events/s (${where})`, `${int(r.p99_latency_ms)} ms`, `≤ ${P99_TARGET_MS} ms`, r.p99_latency_ms <= P99_TARGET_MS && r.p99_latency_holds_1m ? 'met' : 'missed'];
}

function floorTargetRow(h: HotPathFigures): string[] {
  return [`hot path ÷ byte-scan floor (${int(h.task_events_per_cpu_s)} ÷ ${int(h.byte_scan_events_per_cpu_s)} events per CPU-second)`, h.floor_ratio.toFixed(3), `≥ ${FLOOR_TARGET}`, h.floor_ratio >= FLOOR_TARGET ? 'met' : 'missed'];
}

const INTERVAL_HEADER = ['flush interval', 'events/s end to end (best)', 'steady slice (best)', 'aggregates', 'every run', 'latency at half (events/s sent)', 'p50', 'p99', 'max', 'at a quarter (sent)', 'p50', 'p99', 'max'];

function intervalRows(r: FlushIntervalFigures): string[][] {
  return r.flush_intervals.map((x) => [
    `${int(x.flush_interval_ms)} ms`,
    int(x.e2e_events_per_s),
    int(x.steady_events_per_s),
    x.exact ? 'exact' : `WRONG (${x.problems?.[0] ?? ''})`,
    x.samples.map(int).join(', '),
    int(x.latency_sent_events_per_s),
    `${int(x.p50_latency_ms)} ms`,
    `${int(x.p99_latency_ms)} ms`,
    `${int(x.max_latency_ms)} ms`,
    ...(x.at_quarter === undefined ? ['-', '-', '-', '-'] : [int(x.at_quarter.sent_events_per_s), `${int(x.at_quarter.p50_ms)} ms`, `${int(x.at_quarter.p99_ms)} ms`, `${int(x.at_quarter.max_ms)} ms`]),
  ]);
}

/** Each latency run's warm-up p99 and longest event-loop stalls (workers' and the bench's), to read its tail against; none before they were recorded. */
function latencyRunLines(r: FlushIntervalFigures): string[] {
  const line = (at: string, warmupP99: number | undefined, lag: LoopLagFigures | undefined, stages: StageFigures | undefined, rewrites: AofRewrite[] | undefined) =>
    lag === undefined
      ? []
      : [
          `At ${at}: ${warmupP99 === undefined ? '' : `p99 in the warm-up before the measured window ${int(warmupP99)} ms; `}${describeLoopLag(lag)}${stages === undefined ? '' : `; ${describeStages(stages)}`}${rewrites === undefined ? '' : `; ${describeWindowRewrites(rewrites)}`}.`,
        ];
  return r.flush_intervals.flatMap((x) => [
    ...line(`${int(x.flush_interval_ms)} ms, half the rate`, x.warmup_p99_latency_ms, x.loop_lag, x.stages, x.aof_rewrites),
    ...line(`${int(x.flush_interval_ms)} ms, a quarter`, x.at_quarter?.warmup_p99_ms, x.at_quarter?.loop_lag, x.at_quarter?.stages, x.at_quarter?.aof_rewrites),
  ]);
}

function hotPathLine(h: HotPathFigures): string {
  return `Hot path (\`bench/hot-path.ts\`, ${h.shape}, no services, events per CPU-second): fused task ${int(h.task_events_per_cpu_s)}, JSON.parse alone ${int(h.parse_events_per_cpu_s)}, every byte read once ${int(h.byte_scan_events_per_cpu_s)}: the task is ${h.floor_ratio.toFixed(3)} of the byte-scan floor (target ≥ ${FLOOR_TARGET}) and ${h.parse_ratio.toFixed(2)} of JSON.parse alone.`;
}

/** Issue 11's targets for Taba's full production state. */
const RSS_TARGET_MIB = 1024;
const TAKEOVER_SLACK_MS = 2000;
const E2E_TARGET = 1_000_000;

function tabaFullRows(f: TabaFullFigures): string[][] {
  const check = (ok: boolean) => (ok ? 'met' : 'missed');
  const takeoverBound = f.takeover.session_timeout_ms + TAKEOVER_SLACK_MS;
  const aggregates = f.exact ? 'exact' : `WRONG (${f.problems[0] ?? ''})`;
  return [
    ['(Tab, client) states in Redis before the run', int(f.states), '6,000,000', check(f.states >= 6_000_000)],
    [`end to end, ${f.workers.length} workers (${aggregates})`, `${int(f.e2e_events_per_s)} events/s`, `≥ ${int(E2E_TARGET)}`, check(f.exact && f.e2e_events_per_s >= E2E_TARGET)],
    ['peak RSS per worker', f.rss_mib_per_worker.map((m) => `${int(m)} MiB`).join(' / '), `≤ ${int(RSS_TARGET_MIB)} MiB`, check(f.rss_mib_per_worker.every((m) => m <= RSS_TARGET_MIB))],
    [
      `kill -9 → processed again (${int(f.takeover.session_timeout_ms)} ms session, ${int(f.takeover.states_behind)} states behind ${f.takeover.partitions_moved} partitions)`,
      `${int(f.takeover_ms)} ms`,
      `≤ ${int(takeoverBound)} ms`,
      check(f.takeover_ms <= takeoverBound),
    ],
    ...queryRows(f),
  ];
}

/** Issue 12's targets: one Tab p99 ≤ 5 ms, 100 Tabs ≤ 50 ms, all Tabs ≤ 1 s. */
function queryRows(f: TabaFullFigures): string[][] {
  const q = f.query;
  if (q === undefined) return [];
  const check = (ok: boolean) => (ok ? 'met' : 'missed');
  const before = (ms: number | null) => (ms === null ? `> ${int(q.merging_clients.deadline_ms)} ms` : `${int(ms)} ms`);
  const ms = (x: number) => `${x < 10 ? x.toFixed(2) : int(x)} ms`;
  return [
    [
      `aggregate of one Tab, p99 (p50 ${ms(q.one_tab_p50_ms)}; merging clients: p50 ${before(q.merging_clients.one_tab_p50_ms)}${q.redis_ping_p50_ms === undefined ? '' : `; a bare PING meanwhile p50 ${ms(q.redis_ping_p50_ms)}, p99 ${ms(q.redis_ping_p99_ms!)}, Redis persistence ${q.redis_busy}`})`,
      ms(q.one_tab_p99_ms),
      '≤ 5 ms',
      check(q.one_tab_p99_ms <= 5),
    ],
    [`aggregate of 100 Tabs (merging clients: ${before(q.merging_clients.hundred_tabs_ms)})`, ms(q.hundred_tabs_ms), '≤ 50 ms', check(q.hundred_tabs_ms <= 50)],
    [`aggregate of all ${int(f.tabs)} Tabs (merging clients: ${before(q.merging_clients.all_tabs_ms)})`, ms(q.all_tabs_ms), '≤ 1,000 ms', check(q.all_tabs_ms <= 1000)],
  ];
}

/** A worker's collection seconds by kind, and their share of its CPU. */
function describeGc(w: TabaFullFigures['workers'][number]): string {
  const gc = w.gc_s!;
  const total = Object.values(gc).reduce((a, b) => a + b, 0);
  const kinds = Object.entries(gc).map(([kind, s]) => `${kind} ${s.toFixed(1)}`).join(', ');
  return `${total.toFixed(1)} s of ${w.cpu_s!.toFixed(1)} CPU-s (${((100 * total) / w.cpu_s!).toFixed(1)} %; ${kinds})`;
}

function tabaFullDetails(f: TabaFullFigures): string {
  const perWorker = f.workers.map((w) => `${int(w.states_fetched)} fetched, ${int(w.states_evicted)} evicted, ${int(w.working_set_mib)} MiB counted`).join('; ');
  const bytes = Object.entries(f.preload.bytes_per_state_by_type).map(([t, b]) => `${t} ${int(b)}`).join(', ');
  return [
    `Shape \`${f.shape}\`: ${int(f.tabs)} Tabs × ${int(f.clients)} clients (${f.type_mix}); ${int(f.events)} events in ${int(f.messages)} messages of ${int(f.events_per_message)}, touching ${int(f.states_touched)} states; measured over ${f.run_s.toFixed(1)} s (${f.wall_s.toFixed(1)} s from activation).`,
    `Preload: ${int(f.states)} states of ${int(f.preload.events_per_state)} events each (serialized bytes ${bytes}) in ${f.preload.seconds.toFixed(1)} s (${int(f.preload.states_per_s)} states/s), Redis ${int(f.preload.redis_used_memory_mib)} MiB; topic loaded in ${f.topic_load_s.toFixed(1)} s at the same time.`,
    ...(f.events_per_s_by_10_s === undefined ? [] : [`Events/s in each 10 s of the run: ${f.events_per_s_by_10_s.map(int).join(', ')}.`]),
    ...(f.events_per_s_by_10_s_per_worker === undefined ? [] : [`The same per worker: ${f.events_per_s_by_10_s_per_worker.map((w, i) => `worker ${i + 1}: ${w.map(int).join(', ')}`).join('; ')}.`]),
    ...(f.redis_aof === undefined ? [] : [describeAofRewrites(f.redis_aof)]),
    `Working set: ${int(f.working_set_budget_mib)} MiB budget per worker; at the end of the run ${perWorker}.`,
    ...(f.workers.every((w) => w.gc_s !== undefined && w.cpu_s !== undefined) ? [`Garbage collection, each worker from its start to the end of the run: ${f.workers.map(describeGc).join('; ')}.`] : []),
    ...(f.survivor_profile_shares === undefined ? [] : [`Survivor's CPU profile: ${Object.entries(f.survivor_profile_shares).map(([k, v]) => `${k} ${(v * 100).toFixed(0)} %`).join(', ')}.`]),
    `Take-over: claimed ${int(f.takeover.claimed_ms)} ms after the kill, processed again ${int(f.takeover.processed_ms)} ms; survivor peak RSS ${int(f.takeover.survivor_peak_rss_mib)} MiB, ${int(f.takeover.survivor_states_fetched)} states fetched in all; aggregates after the take-over ${f.takeover.exact_after ? 'exact' : `WRONG (${f.takeover.problems_after[0] ?? ''})`} over ${int(f.takeover.states_checked_after)} touched states.`,
  ].join('\n');
}

function quarterLatency(r: BenchResults): string {
  const q = r.latency_at_quarter;
  return q === undefined ? '' : `; at ${int(q.sent_events_per_s)} events/s (a quarter): p50 ${int(q.p50_ms)} ms, p99 ${int(q.p99_ms)} ms, max ${int(q.max_ms)} ms`;
}

/** The table `npm run bench` prints. */
export function renderConsole(r: BenchResults): string {
  const pad = padded;
  return [
    `Tabstream benchmark (${r.mode}) ${r.timestamp} at ${r.commit}; load average ${r.load_average.start.map((l) => l.toFixed(1)).join(' ')} -> ${r.load_average.end.map((l) => l.toFixed(1)).join(' ')}`,
    '',
    pad([RUN_HEADER, ...runRows(r)]),
    '',
    ...(r.peer_variants === undefined ? [] : [pad([PEER_VARIANT_HEADER, ...peerVariantRows(r as PeerComparison)]), comparisonLine(r as PeerComparison), '']),
    pad([['figure', 'measured', 'target', ''], ...targetRows(r)]),
    '',
    ...(r.flush_intervals === undefined
      ? [`latency at ${int(r.latency_sent_events_per_s)} events/s: p50 ${int(r.p50_latency_ms)} ms, p99 ${int(r.p99_latency_ms)} ms, max ${int(r.max_latency_ms)} ms${quarterLatency(r)}`]
      : [padded([INTERVAL_HEADER, ...intervalRows(r as FlushIntervalFigures)]), ...latencyRunLines(r as FlushIntervalFigures)]),
    ...(r.hot_path === undefined ? [] : [hotPathLine(r.hot_path)]),
    `memory: ${int(r.bytes_per_counter_state)} serialized bytes per counter state, ${int(r.redis_bytes_per_state)} bytes of Redis per state, worker RSS ${mib(r.rss_bytes_per_million_states)} per million states`,
    ...(r.taba_full === undefined ? [] : ['', tabaFullConsole(r.taba_full)]),
  ].join('\n');
}

function padded(cells: string[][]): string {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}

function tabaFullConsole(f: TabaFullFigures): string {
  return [`taba-full: Taba's full production state in Redis, ${f.workers.length} workers`, padded([['figure', 'measured', 'target', ''], ...tabaFullRows(f)]), tabaFullDetails(f)].join('\n');
}

/** The tables `npm run bench -- --only peers` prints. */
export function renderPeersOnly(r: PeersOnlyResults): string {
  return [
    `Tabstream benchmark (peers only, ${r.mode}) ${r.timestamp} at ${r.commit}; load average ${r.load_average.start.map((l) => l.toFixed(1)).join(' ')} -> ${r.load_average.end.map((l) => l.toFixed(1)).join(' ')}`,
    '',
    padded([RUN_HEADER, ...runRows(r)]),
    '',
    padded([PEER_VARIANT_HEADER, ...peerVariantRows(r)]),
    comparisonLine(r),
    ...(r.peer_profile ? ['', ...r.peer_profile.summary.flatMap((s, i) => jfrLines(s, i))] : []),
  ].join('\n');
}

/** The tables `npm run bench -- --only latency` prints. */
export function renderLatencyOnly(r: LatencyOnlyResults): string {
  const check = (ok: boolean) => (ok ? 'met' : 'missed');
  return [
    `Tabstream benchmark (latency only, ${r.mode}) ${r.timestamp} at ${r.commit}; load average ${r.load_average.start.map((l) => l.toFixed(1)).join(' ')} -> ${r.load_average.end.map((l) => l.toFixed(1)).join(' ')}`,
    '',
    padded([INTERVAL_HEADER, ...intervalRows(r)]),
    ...latencyRunLines(r),
    '',
    padded([['figure', 'measured', 'target', ''], latencyTargetRow(r), floorTargetRow(r.hot_path), ['end to end at any interval', `${int(Math.max(...r.flush_intervals.map((x) => x.e2e_events_per_s)))} events/s`, '≥ 1,000,000', check(r.p99_latency_holds_1m)]]),
    hotPathLine(r.hot_path),
  ].join('\n');
}

function latencySection(r: BenchRunInfo & FlushIntervalFigures & { p99_latency_ms: number; hot_path?: HotPathFigures }, command: string): string {
  const m = r.machine;
  const runLines = latencyRunLines(r);
  return [
    `Latest run: ${r.timestamp} at commit \`${r.commit}\`, \`${command}\`. Machine: ${m.cpus} × ${m.cpu}, ${m.memory_gib} GiB; Node ${m.node}. Load average ${r.load_average.start.map((l) => l.toFixed(1)).join('/')} at the start, ${r.load_average.end.map((l) => l.toFixed(1)).join('/')} at the end. Production shape, 2 workers; the producer of the latency runs shares the two cores.`,
    '',
    markdownTable(INTERVAL_HEADER, intervalRows(r)),
    ...(runLines.length === 0 ? [] : ['', runLines.join('\n')]),
    '',
    markdownTable(['figure', 'measured', 'target', ''], [latencyTargetRow(r), ...(r.hot_path === undefined ? [] : [floorTargetRow(r.hot_path)])]),
    ...(r.hot_path === undefined ? [] : ['', hotPathLine(r.hot_path)]),
  ].join('\n');
}

/** The table `npm run bench -- --only taba-full` prints. */
export function renderTabaFullOnly(r: TabaFullOnlyResults): string {
  return [`Tabstream benchmark (taba-full only, ${r.mode}) ${r.timestamp} at ${r.commit}; load average ${r.load_average.start.map((l) => l.toFixed(1)).join(' ')} -> ${r.load_average.end.map((l) => l.toFixed(1)).join(' ')}`, '', tabaFullConsole(r.taba_full)].join('\n');
}

export function writeResults(r: BenchResults | TabaFullOnlyResults | PeersOnlyResults | LatencyOnlyResults): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${r.timestamp.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  return file;
}

function history(): BenchResults[] {
  if (!existsSync(RESULTS_DIR)) return [];
  return readdirSync(RESULTS_DIR)
    .filter((f) => /^\d{4}-.*\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(join(RESULTS_DIR, f), 'utf8')) as BenchResults)
    // A partial run (--only) has no full set of figures for this table.
    .filter((r) => typeof r.e2e_events_per_s === 'number' && r.mode === 'full' && !('only' in r))
    .sort((a, b) => a.timestamp.localeCompare(b.timestamp));
}

function latestSection(r: BenchResults): string {
  const m = r.machine;
  const shapes = Object.entries(r.shapes).map(([name, s]) => [name, int(s.tabs), int(s.clients), int(s.events), int(s.events_per_message), `${s.load_s.toFixed(0)} s`]);
  const recovery = r.recovery.map((x) => [`${int(x.session_timeout_ms)} ms`, String(x.partitions_moved), `${int(x.claimed_ms)} ms`, `${int(x.recovery_ms)} ms`]);
  const past = history().map((h) => [h.timestamp.slice(0, 16), h.commit, int(h.e2e_events_per_s), ratio(h.ceiling_ratio), ratio(h.kafka_streams_ratio), ratio(h.naive_ratio), int(h.p99_latency_ms), h.p99_latency_flush_interval_ms === undefined ? '1,000' : int(h.p99_latency_flush_interval_ms), h.floor_ratio === undefined ? 'n/a' : h.floor_ratio.toFixed(3), int(h.bytes_per_counter_state)]);
  const parts = [
    `Latest run: ${r.timestamp} at commit \`${r.commit}\`, \`npm run bench${r.mode === 'quick' ? ' -- --quick' : ''}\`.`,
    `Machine: ${m.cpus} × ${m.cpu}, ${m.memory_gib} GiB; Node ${m.node}, ${m.java}, Kafka ${m.kafka}; ZooKeeper, Kafka and Redis on the same machine. Load average ${r.load_average.start.map((l) => l.toFixed(1)).join('/')} at the start, ${r.load_average.end.map((l) => l.toFixed(1)).join('/')} at the end.`,
    '',
    markdownTable(['shape', 'Tabs', 'clients', 'events', 'events per message', 'load time'], shapes),
    '',
    '### Against the targets',
    '',
    markdownTable(['figure', 'measured', 'target', ''], targetRows(r)),
    '',
    '### Every run',
    '',
    markdownTable(RUN_HEADER, runRows(r)),
    '',
    ...(r.flush_intervals === undefined
      ? [`Latency at ${int(r.latency_sent_events_per_s)} events/s (half the best end-to-end figure, ${int(r.latency_offered_events_per_s)} offered): p50 ${int(r.p50_latency_ms)} ms, p99 ${int(r.p99_latency_ms)} ms, max ${int(r.max_latency_ms)} ms${quarterLatency(r)}.`]
      : ['Per flush interval (latency at half and a quarter of the best end-to-end figure of this table, the same loads at every interval):', '', markdownTable(INTERVAL_HEADER, intervalRows(r as FlushIntervalFigures))]),
    ...(r.hot_path === undefined ? [] : ['', hotPathLine(r.hot_path)]),
    '',
    markdownTable(['session timeout', 'partitions moved', 'kill → claimed', 'kill → processed again'], recovery),
    '',
    `Memory: serialized bytes per state ${Object.entries(r.bytes_per_state_by_type).map(([t, b]) => `${t} ${int(b)}`).join(', ')}; Redis memory per state ${int(r.redis_bytes_per_state)} bytes; worker RSS ${mib(r.rss_bytes_per_million_states)} per million states (production minus small shape, one worker).`,
  ];
  if (r.profile) {
    parts.push(
      '',
      `Profile of the one-worker production run (\`${r.profile.file}\`), share of all samples: ${Object.entries(r.profile.shares).map(([k, v]) => `${k} ${(v * 100).toFixed(0)} %`).join(', ')}.`,
      '',
      markdownTable(['self time', 'function', 'where'], r.profile.top.map((row) => [`${(row.share * 100).toFixed(1)} %`, `\`${row.name}\``, row.where])),
    );
  }
  parts.push('', '### History', '', 'From issue 16 on, ÷ Kafka Streams is to the best tuned variant of the same run, both over the steady slice; before it, to the untuned peer over the whole run.', '', markdownTable(['full run', 'commit', 'e2e events/s', '÷ ceiling', '÷ Kafka Streams', '÷ naive', 'p99 ms', 'at flush interval (ms)', '÷ byte-scan floor', 'B/counter'], past));
  return parts.join('\n');
}

function tabaFullSection(r: BenchRunInfo & { taba_full: TabaFullFigures }, command: string): string {
  const m = r.machine;
  return [
    `Latest run: ${r.timestamp} at commit \`${r.commit}\`, \`${command}\`. Machine: ${m.cpus} × ${m.cpu}, ${m.memory_gib} GiB; Node ${m.node}. Load average ${r.load_average.start.map((l) => l.toFixed(1)).join('/')} at the start, ${r.load_average.end.map((l) => l.toFixed(1)).join('/')} at the end.`,
    '',
    markdownTable(['figure', 'measured', 'target', ''], tabaFullRows(r.taba_full)),
    '',
    tabaFullDetails(r.taba_full).split('\n').join('\n\n'),
  ].join('\n');
}

/** Puts `body` between the markers in docs/benchmarks.md (adds a section `heading` at the end when they are missing). */
function replaceSection(start: string, end: string, heading: string, body: string): void {
  const text = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Benchmarks\n';
  const block = `${start}\n${body}\n${end}`;
  const at = text.indexOf(start);
  const to = text.indexOf(end);
  const next = at >= 0 && to > at ? `${text.slice(0, at)}${block}${text.slice(to + end.length)}` : `${text.trimEnd()}\n\n## ${heading}\n\n${block}\n`;
  writeFileSync(DOC, next);
}

/** Replaces the generated sections of docs/benchmarks.md that this run measured. */
export function refreshDocs(r: BenchResults | TabaFullOnlyResults | PeersOnlyResults | LatencyOnlyResults): void {
  if (!('only' in r)) replaceSection(START, END, 'Latest figures', latestSection(r));
  if ('flush_intervals' in r && r.flush_intervals !== undefined) {
    const command = 'only' in r ? 'npm run bench -- --only latency' : 'npm run bench';
    replaceSection(LATENCY_START, LATENCY_END, 'Throughput and latency per flush interval: latest figures', latencySection(r as BenchRunInfo & FlushIntervalFigures & { p99_latency_ms: number; hot_path?: HotPathFigures }, command));
  }
  if ('only' in r && r.only === 'latency') return;
  if ('peer_variants' in r && r.peer_variants !== undefined) {
    const command = 'only' in r ? 'npm run bench -- --only peers' : 'npm run bench';
    replaceSection(PEERS_START, PEERS_END, 'Kafka Streams peer variants: latest figures', peersSection(r as BenchRunInfo & PeerComparison, command));
  }
  if ('only' in r && r.only === 'peers') return;
  if (r.taba_full !== undefined) {
    const command = 'only' in r ? 'npm run bench -- --only taba-full' : 'npm run bench';
    replaceSection(FULL_START, FULL_END, "Taba's full production state: latest figures", tabaFullSection({ ...r, taba_full: r.taba_full }, command));
  }
}
