// Summarizes a JFR recording of the Kafka Streams peer (`-XX:StartFlightRecording`,
// settings=profile) with the JDK's `jfr print`: the methods with the most
// samples on top of the stack, the share of samples by part of the work (the
// first frame from the top that belongs to a part), by thread, the collector's
// pauses and the JVM's and machine's CPU. Usage: tsx bench/jfr-summary.ts <file.jfr> [top]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface JfrSummary {
  samples: number;
  /** Top-of-stack methods, share of all execution samples, largest first. */
  top: Array<{ method: string; share: number }>;
  /** Share of samples per part of the work (PEER_PARTS), in their order. */
  parts: Record<string, number>;
  /** Share of samples per thread kind (numbers and the application id taken out). */
  threads: Record<string, number>;
  recording_s: number;
  /** Garbage collection pauses, summed, ÷ the recording's length. */
  gc_pause_share: number;
  gc_count: number;
  /** Means over the recording of jdk.CPULoad: this JVM (user + system) and the whole machine, 0..1 of all cores. */
  jvm_cpu: number;
  machine_cpu: number;
}

/** Parts of the peer's work by a frame's class (and method): the first rule a frame matches, scanning from the top of the stack. */
export const PEER_PARTS: Array<[string, RegExp]> = [
  ['decode (Jackson, WireEvents)', /^(dev\.tabstream\.peer\.WireEvents|com\.fasterxml\.jackson)/],
  ['state serde (states to and from bytes)', /^dev\.tabstream\.peer\.(TabStateSerde|ByteOut|ByteIn|TabState\.(serialize|deserialize)|\w+State\.(write|read|writeCell|readCell|writeAll|readAll|readInto|writeSketch|readSketch)$|DistinctSketch\.(write|read)$)|^com\.datadoghq\.sketch\.ddsketch\.(encoding|DDSketch\w*\.(encode|decode))/],
  ['fold (windows, sketches)', /^(dev\.tabstream\.peer\.(\w+State|Windows|DistinctSketch|FoldProcessor)|com\.datadoghq)/],
  ['record cache, stores, changelog', /^org\.apache\.kafka\.streams\.state\./],
  ['Kafka clients (fetch, produce, transactions)', /^org\.apache\.kafka\.(clients|common)\./],
  ['Kafka Streams runtime', /^org\.apache\.kafka\.streams\./],
];

interface JfrFrame {
  method: { type: { name: string }; name: string };
}

interface JfrEvent {
  type: string;
  values: {
    sampledThread?: { javaName?: string; osName?: string };
    stackTrace?: { frames: JfrFrame[] };
    duration?: string;
    sumOfPauses?: string;
    jvmUser?: number;
    jvmSystem?: number;
    machineTotal?: number;
    startTime?: string;
  };
}

function jfrJson(file: string, events: string, depth: number): JfrEvent[] {
  // `jfr print --json` of a profile's samples is large: through a file, not a pipe buffer.
  const dir = mkdtempSync(join(tmpdir(), 'jfr-'));
  try {
    const out = join(dir, 'events.json');
    const r = spawnSync('sh', ['-c', `jfr print --json --stack-depth ${depth} --events ${events} "$1" > "$2"`, 'jfr', file, out], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`jfr print failed: ${r.stderr}`);
    return (JSON.parse(readFileSync(out, 'utf8')) as { recording: { events: JfrEvent[] } }).recording.events;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `PT0.012S`-style durations (as jfr prints them) or `12 ms`, in ms. */
function durationMs(text: string | undefined): number {
  if (text === undefined) return 0;
  const iso = /^PT(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(text);
  if (iso) return (Number(iso[1] ?? 0) * 60 + Number(iso[2] ?? 0)) * 1000;
  const plain = /^([\d.]+)\s*(ns|us|ms|s)$/.exec(text);
  if (!plain) return 0;
  return Number(plain[1]) * { ns: 1e-6, us: 1e-3, ms: 1, s: 1000 }[plain[2] as 'ns' | 'us' | 'ms' | 's'];
}

/** `pkg.Class.method` (jfr prints class names with slashes). */
const methodName = (f: JfrFrame): string => `${f.method.type.name.replaceAll('/', '.')}.${f.method.name}`;

function threadKind(name: string): string {
  return name.replace(/bench-streams-[0-9a-z]+(-[0-9a-f]+){5}-/g, '').replace(/bench-streams-[0-9a-z]+-/g, '').replace(/\d+/g, 'N');
}

/** Events whose start lies in [from, to] (wall ms); all of them without a window. */
function within(events: JfrEvent[], window?: { from: number; to: number }): JfrEvent[] {
  if (window === undefined) return events;
  return events.filter((e) => {
    const at = Date.parse(e.values.startTime ?? '');
    return at >= window.from && at <= window.to;
  });
}

/** `window`: only what happened in it (the measured run, not start-up or the dump after it). */
export function summarizeJfr(file: string, top = 15, window?: { from: number; to: number }): JfrSummary {
  const samples = within(jfrJson(file, 'jdk.ExecutionSample', 64), window);
  const self = new Map<string, number>();
  const parts = new Map<string, number>(PEER_PARTS.map(([name]) => [name, 0]));
  parts.set('other (JDK, JVM)', 0);
  const threads = new Map<string, number>();
  for (const s of samples) {
    const frames = s.values.stackTrace?.frames ?? [];
    const head = frames[0] ? methodName(frames[0]) : '(no stack)';
    self.set(head, (self.get(head) ?? 0) + 1);
    let part = 'other (JDK, JVM)';
    outer: for (const f of frames) {
      const name = methodName(f);
      for (const [p, rule] of PEER_PARTS) {
        if (rule.test(name)) {
          part = p;
          break outer;
        }
      }
    }
    parts.set(part, parts.get(part)! + 1);
    const thread = threadKind(s.values.sampledThread?.javaName ?? s.values.sampledThread?.osName ?? '?');
    threads.set(thread, (threads.get(thread) ?? 0) + 1);
  }
  const n = Math.max(1, samples.length);
  const share = (m: Map<string, number>) => Object.fromEntries([...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / n]));
  const gcs = within(jfrJson(file, 'jdk.GarbageCollection', 1), window);
  const cpu = within(jfrJson(file, 'jdk.CPULoad', 1), window);
  const times = cpu.map((e) => Date.parse(e.values.startTime ?? '')).filter(Number.isFinite);
  const recordingMs = times.length > 1 ? Math.max(...times) - Math.min(...times) : Number.NaN;
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
  return {
    samples: samples.length,
    top: [...self].sort((a, b) => b[1] - a[1]).slice(0, top).map(([method, count]) => ({ method, share: count / n })),
    parts: Object.fromEntries([...parts].map(([k, v]) => [k, v / n])),
    threads: share(threads),
    recording_s: recordingMs / 1000,
    gc_pause_share: gcs.reduce((sum, e) => sum + durationMs(e.values.sumOfPauses ?? e.values.duration), 0) / recordingMs,
    gc_count: gcs.length,
    jvm_cpu: mean(cpu.map((e) => (e.values.jvmUser ?? 0) + (e.values.jvmSystem ?? 0))),
    machine_cpu: mean(cpu.map((e) => e.values.machineTotal ?? 0)),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write('usage: tsx bench/jfr-summary.ts <file.jfr> [top] [--json out]\n');
    process.exit(2);
  }
  const summary = summarizeJfr(file, Number(process.argv[3] ?? 15));
  const jsonAt = process.argv.indexOf('--json');
  if (jsonAt > 0) writeFileSync(process.argv[jsonAt + 1]!, `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}
