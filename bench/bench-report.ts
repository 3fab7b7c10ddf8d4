// Printing and keeping a run: the table on stdout, the JSON in
// bench/results/, and the generated part of docs/benchmarks.md (between its
// `bench:latest` markers; the rest of that file is written by hand).
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResults, RunRow } from './bench-results';
import { BENCH_ROOT } from './bench-stack';

const RESULTS_DIR = join(BENCH_ROOT, 'bench/results');
const DOC = join(BENCH_ROOT, 'docs/benchmarks.md');
const START = '<!-- bench:latest:start -->';
const END = '<!-- bench:latest:end -->';

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

function runRows(r: BenchResults): string[][] {
  return r.runs.map((row) => [row.system, row.shape, row.config, int(row.events_per_s), ratio(row.ceiling_ratio), exact(row), samples(row)]);
}

function targetRows(r: BenchResults): string[][] {
  const check = (ok: boolean) => (ok ? 'met' : 'missed');
  return [
    ['end to end (production shape, best)', `${int(r.e2e_events_per_s)} events/s`, '≥ 1,000,000', check(r.e2e_events_per_s >= 1_000_000)],
    ['÷ raw-read ceiling', ratio(r.ceiling_ratio), '≥ 0.8', check(r.ceiling_ratio >= 0.8)],
    ['÷ Kafka Streams (best)', ratio(r.kafka_streams_ratio), '≥ 1.0', check(r.kafka_streams_ratio >= 1)],
    ['÷ naive HINCRBY consumer', ratio(r.naive_ratio), '-', '-'],
    [`p99 latency at ${int(r.latency_sent_events_per_s)} events/s`, `${int(r.p99_latency_ms)} ms`, '≤ 1,500 ms', check(r.p99_latency_ms <= 1500)],
    ['bytes per counter state (serialized)', `${int(r.bytes_per_counter_state)}`, '≤ 256', check(r.bytes_per_counter_state <= 256)],
    ['recovery after kill -9 (default session)', `${int(r.recovery_ms)} ms`, '-', '-'],
    ['recovery after kill -9 (1 s session)', `${int(r.recovery_ms_low_session)} ms`, '-', '-'],
  ];
}

function quarterLatency(r: BenchResults): string {
  const q = r.latency_at_quarter;
  return q === undefined ? '' : `; at ${int(q.sent_events_per_s)} events/s (a quarter): p50 ${int(q.p50_ms)} ms, p99 ${int(q.p99_ms)} ms, max ${int(q.max_ms)} ms`;
}

/** The table `npm run bench` prints. */
export function renderConsole(r: BenchResults): string {
  const pad = (cells: string[][]) => {
    const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
    return cells.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
  };
  return [
    `Tabstream benchmark (${r.mode}) ${r.timestamp} at ${r.commit}; load average ${r.load_average.start.map((l) => l.toFixed(1)).join(' ')} -> ${r.load_average.end.map((l) => l.toFixed(1)).join(' ')}`,
    '',
    pad([['system', 'shape', 'config', 'events/s (best)', '÷ ceiling', 'aggregates', 'every run'], ...runRows(r)]),
    '',
    pad([['figure', 'measured', 'target', ''], ...targetRows(r)]),
    '',
    `latency at ${int(r.latency_sent_events_per_s)} events/s: p50 ${int(r.p50_latency_ms)} ms, p99 ${int(r.p99_latency_ms)} ms, max ${int(r.max_latency_ms)} ms${quarterLatency(r)}`,
    `memory: ${int(r.bytes_per_counter_state)} serialized bytes per counter state, ${int(r.redis_bytes_per_state)} bytes of Redis per state, worker RSS ${mib(r.rss_bytes_per_million_states)} per million states`,
  ].join('\n');
}

export function writeResults(r: BenchResults): string {
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
    .filter((r) => typeof r.e2e_events_per_s === 'number' && r.mode === 'full')
    .sort((a, b) => a.timestamp.localeCompare(b.timestamp));
}

function latestSection(r: BenchResults): string {
  const m = r.machine;
  const shapes = Object.entries(r.shapes).map(([name, s]) => [name, int(s.tabs), int(s.clients), int(s.events), int(s.events_per_message), `${s.load_s.toFixed(0)} s`]);
  const recovery = r.recovery.map((x) => [`${int(x.session_timeout_ms)} ms`, String(x.partitions_moved), `${int(x.claimed_ms)} ms`, `${int(x.recovery_ms)} ms`]);
  const past = history().map((h) => [h.timestamp.slice(0, 16), h.commit, int(h.e2e_events_per_s), ratio(h.ceiling_ratio), ratio(h.kafka_streams_ratio), ratio(h.naive_ratio), int(h.p99_latency_ms), int(h.bytes_per_counter_state)]);
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
    markdownTable(['system', 'shape', 'config', 'events/s (best)', '÷ ceiling', 'aggregates', 'every run'], runRows(r)),
    '',
    `Latency at ${int(r.latency_sent_events_per_s)} events/s (half the best end-to-end figure, ${int(r.latency_offered_events_per_s)} offered): p50 ${int(r.p50_latency_ms)} ms, p99 ${int(r.p99_latency_ms)} ms, max ${int(r.max_latency_ms)} ms${quarterLatency(r)}.`,
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
  parts.push('', '### History', '', markdownTable(['full run', 'commit', 'e2e events/s', '÷ ceiling', '÷ Kafka Streams', '÷ naive', 'p99 ms', 'B/counter'], past));
  return parts.join('\n');
}

/** Replaces the generated section of docs/benchmarks.md (adds it at the end when missing). */
export function refreshDocs(r: BenchResults): void {
  const text = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Benchmarks\n';
  const block = `${START}\n${latestSection(r)}\n${END}`;
  const at = text.indexOf(START);
  const end = text.indexOf(END);
  const next = at >= 0 && end > at ? `${text.slice(0, at)}${block}${text.slice(end + END.length)}` : `${text.trimEnd()}\n\n## Latest figures\n\n${block}\n`;
  writeFileSync(DOC, next);
}
