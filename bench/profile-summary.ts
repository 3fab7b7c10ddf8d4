// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): the functions with the
// most self time, and the share of time in a few groups of the hot path, so a profile reads as a short table in a terminal or
// in docs/benchmarks.md. Usage: tsx bench/profile-summary.ts <file> [top]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** A V8 .cpuprofile: its times in µs of the monotonic clock, each sample `timeDeltas[i]` after the one before (the first after startTime). */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  name: string;
  where: string;
  /** Share of all samples, 0..1. */
  share: number;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function frameLabel(node: ProfileNode): { name: string; where: string } {
  const { functionName, url, lineNumber } = node.callFrame;
  let where = url.replace(/^file:\/\//, '');
  if (where.startsWith(ROOT)) where = relative(ROOT, where);
  where = where.replace(/^.*node_modules\//, '');
  return { name: functionName || '(anonymous)', where: where ? `${where}:${lineNumber + 1}` : '' };
}

/** Self time per function (summed over its nodes), largest first. */
export function selfTimeRows(profile: CpuProfile, top = 20): ProfileRow[] {
  const weight = sampleWeights(profile);
  const byFunction = new Map<string, ProfileRow>();
  let total = 0;
  for (const node of profile.nodes) {
    const w = weight.get(node.id) ?? 0;
    total += w;
    const { name, where } = frameLabel(node);
    const key = `${name} ${where}`;
    const row = byFunction.get(key) ?? { name, where, share: 0 };
    row.share += w;
    byFunction.set(key, row);
  }
  return [...byFunction.values()]
    .map((r) => ({ ...r, share: total === 0 ? 0 : r.share / total }))
    .sort((a, b) => b.share - a.share)
    .slice(0, top);
}

/**
 * Share of the samples per group. A group matches frames by `<function> <url>`;
 * an inclusive group counts a sample when any frame on its stack matches, a
 * self group only when the sampled frame itself does.
 */
export function groupShares(profile: CpuProfile, groups: Record<string, { match: RegExp; inclusive: boolean }>): Record<string, number> {
  const weight = sampleWeights(profile);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (id: number) => {
    const { functionName, url } = byId.get(id)!.callFrame;
    return `${functionName} ${url}`;
  };
  let total = 0;
  const sums: Record<string, number> = Object.fromEntries(Object.keys(groups).map((k) => [k, 0]));
  for (const [id, w] of weight) {
    total += w;
    for (const [name, group] of Object.entries(groups)) {
      for (let at: number | undefined = id; at !== undefined; at = group.inclusive ? parent.get(at) : undefined) {
        if (group.match.test(label(at))) {
          sums[name] += w;
          break;
        }
      }
    }
  }
  for (const k of Object.keys(sums)) sums[k] = total === 0 ? 0 : sums[k]! / total;
  return sums;
}

/** Where a worker's time goes, in the groups docs/benchmarks.md reports. */
export const WORKER_GROUPS: Record<string, { match: RegExp; inclusive: boolean }> = {
  // Workers read (spouts/partition-reader.ts) and write (the outbox) with @platformatic/kafka.
  '@platformatic/kafka (self)': { match: /node_modules\/@platformatic\/kafka\//, inclusive: false },
  // No worker loads KafkaJS any more: this group only sorts profiles of runs before 2026-12.
  'KafkaJS (self)': { match: /node_modules\/kafkajs\//, inclusive: false },
  'wire decode': { match: /^decodeMessage /, inclusive: true },
  fold: { match: /bolts\/fold-bolt\.ts$/, inclusive: true },
  checkpoint: { match: /^(checkpoint|checkpointRound|checkpointArgs) /, inclusive: true },
  'ioredis (self)': { match: /node_modules\/ioredis\//, inclusive: false },
  'garbage collector': { match: /^\(garbage collector\) /, inclusive: false },
  idle: { match: /^\(idle\) /, inclusive: false },
};

/** Time per node, in microseconds, from the sample stream. */
function sampleWeights(profile: CpuProfile): Map<number, number> {
  const weight = new Map<number, number>();
  profile.samples.forEach((id, i) => weight.set(id, (weight.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  return weight;
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

export function formatRows(rows: ProfileRow[]): string {
  return rows.map((r) => `${(r.share * 100).toFixed(1).padStart(5)} %  ${r.name}  ${r.where}`).join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]');
  const profile = readProfile(file);
  const shares = groupShares(profile, WORKER_GROUPS);
  process.stdout.write(`${Object.entries(shares).map(([k, v]) => `${k} ${(v * 100).toFixed(1)} %`).join(', ')}\n\n`);
  process.stdout.write(`${formatRows(selfTimeRows(profile, Number(process.argv[3] ?? 25)))}\n`);
}
