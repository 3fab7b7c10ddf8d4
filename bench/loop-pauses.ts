// tsx bench/loop-pauses.ts <worker .cpuprofile> <its .pauses.json> [min ms]:
// what ran in each pause of a worker's event loop. The pauses and garbage
// collections come from bench/loop-pauses-preload.cjs (set
// TABSTREAM_BENCH_PAUSE_DIR, and TABSTREAM_BENCH_WORKER_PROFILE_DIR for the
// profile, on a latency or throughput probe); both files carry the same
// monotonic clock, so each pause is read against the profile's samples inside
// it. Prints each pause of `min ms` (100) or more: its garbage collection and
// the project's frames most on the stack in it; then the frames over all of them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readProfile, type CpuProfile, type ProfileNode } from './profile-summary';

export interface PauseTrace {
  pauses: Array<{ fromUs: number; toUs: number; ms: number }>;
  gcs: Array<{ atUs: number; ms: number; kind: number }>;
}

export interface AttributedPause {
  /** Seconds from the profile's start. */
  atS: number;
  ms: number;
  /** Garbage collection that started inside the pause, ms. */
  gcMs: number;
  /** Frames by the time the pause's samples had them on the stack (each counted once a sample), ms, most first. */
  frames: Array<{ frame: string; ms: number }>;
}

/** Frames of the project's own code, and the collector, are the ones named (Node's and the libraries' are left out). */
const OWN_FRAME = /(bolts|runtime|state|windows|sketches|handlers|spouts|codec|contracts)\/[^/]+\.ts$|^\(garbage collector\)/;

function frameName(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  const file = url.split('/').slice(-2).join('/');
  return file === '' ? functionName || '(anonymous)' : `${functionName || '(anonymous)'} ${file}`;
}

/** Each pause of `minMs` or more, with the garbage collection and the frames inside it. */
export function attributePauses(profile: CpuProfile, trace: PauseTrace, minMs: number): AttributedPause[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // A sample's time, and the time it stands for (until the next).
  const times: number[] = [];
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) times.push((t += profile.timeDeltas[i] ?? 0));
  const out: AttributedPause[] = [];
  for (const pause of trace.pauses) {
    if (pause.ms < minMs) continue;
    const frames = new Map<string, number>();
    for (let i = 0; i < times.length; i++) {
      if (times[i]! < pause.fromUs || times[i]! >= pause.toUs) continue;
      const us = (times[i + 1] ?? times[i]!) - times[i]!;
      const seen = new Set<string>();
      for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
        const name = frameName(byId.get(id)!);
        if (seen.has(name) || !OWN_FRAME.test(name)) continue;
        seen.add(name);
        frames.set(name, (frames.get(name) ?? 0) + us);
      }
    }
    const gcMs = trace.gcs.filter((g) => g.atUs >= pause.fromUs && g.atUs < pause.toUs).reduce((sum, g) => sum + g.ms, 0);
    out.push({
      atS: (pause.fromUs - profile.startTime) / 1e6,
      ms: pause.ms,
      gcMs,
      frames: [...frames].map(([frame, us]) => ({ frame, ms: us / 1000 })).sort((a, b) => b.ms - a.ms),
    });
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [profileFile, traceFile, minArg = '100'] = process.argv.slice(2);
  if (profileFile === undefined || traceFile === undefined) {
    process.stderr.write('usage: tsx bench/loop-pauses.ts <worker .cpuprofile> <its .pauses.json> [min ms, 100]\n');
    process.exit(2);
  }
  const profile = readProfile(profileFile);
  const trace = JSON.parse(readFileSync(traceFile, 'utf8')) as PauseTrace;
  const pauses = attributePauses(profile, trace, Number(minArg));
  const all = new Map<string, number>();
  for (const p of pauses) {
    for (const f of p.frames) all.set(f.frame, (all.get(f.frame) ?? 0) + f.ms);
    const top = p.frames.slice(0, 5).map((f) => `${f.frame} ${f.ms.toFixed(0)}`).join(' | ');
    console.log(`${p.atS.toFixed(1)} s: ${p.ms} ms, gc ${p.gcMs} ms: ${top}`);
  }
  const total = pauses.reduce((sum, p) => sum + p.ms, 0);
  const gc = pauses.reduce((sum, p) => sum + p.gcMs, 0);
  console.log(`\n${pauses.length} pauses of ${minArg} ms or more, ${total} ms in all, garbage collection ${gc} ms of it; frames over all of them:`);
  for (const [frame, ms] of [...all].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${ms.toFixed(0).padStart(7)} ms  ${frame}`);
}
