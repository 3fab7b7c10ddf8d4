import { describe, expect, it } from 'vitest';
import { attributePauses } from '../../bench/loop-pauses';
import type { CpuProfile } from '../../bench/profile-summary';

const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({ id, callFrame: { functionName, url, lineNumber: 0 }, children });

// root > fold (bolts) > write (sketches) > write (sketches, recursive) ; root > gc ; root > emit (node_modules) ; root > idle
const profile: CpuProfile = {
  nodes: [
    frame(1, '(root)', '', [2, 5, 6, 7]),
    frame(2, 'fold', 'file:///repo/bolts/fold-bolt.ts', [3]),
    frame(3, 'write', 'file:///repo/tabs/sketches/kept.ts', [4]),
    frame(4, 'write', 'file:///repo/tabs/sketches/kept.ts'),
    frame(5, '(garbage collector)', ''),
    frame(6, 'emit', 'file:///repo/node_modules/ioredis/built/Redis.js'),
    frame(7, '(idle)', ''),
  ],
  startTime: 1_000_000,
  // Samples every 1 ms from 1.001 s: 4, 4, 5, 2, 6, 7, 4, 4
  samples: [4, 4, 5, 2, 6, 7, 4, 4],
  timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
};

describe('attributePauses', () => {
  it('names the project frames and the collector on the stack in each pause, a frame once a sample, and the GC begun inside it', () => {
    // The pause covers the samples at 1.001-1.005 s (the first five); the last GC begins after it.
    const trace = {
      pauses: [
        { fromUs: 1_001_000, toUs: 1_006_000, ms: 5 },
        { fromUs: 1_006_000, toUs: 1_007_000, ms: 1 },
      ],
      gcs: [
        { atUs: 1_003_000, ms: 1, kind: 1 },
        { atUs: 1_000_500, ms: 7, kind: 4 },
        { atUs: 1_006_500, ms: 3, kind: 1 },
      ],
    };
    const [pause, ...rest] = attributePauses(profile, trace, 2);
    expect(rest).toEqual([]);
    expect(pause!.atS).toBeCloseTo(0.001, 6);
    expect(pause!.ms).toBe(5);
    expect(pause!.gcMs).toBe(1);
    const ms = Object.fromEntries(pause!.frames.map((f) => [f.frame, f.ms]));
    // Samples 4, 4 (fold > write > write: `write` once each), 5 (gc), 2 (fold), 6 (a library's: not named).
    expect(ms).toEqual({ 'fold bolts/fold-bolt.ts': 3, 'write sketches/kept.ts': 2, '(garbage collector)': 1 });
    expect(pause!.frames[0]!.frame).toBe('fold bolts/fold-bolt.ts');
  });

  it('leaves out pauses shorter than asked', () => {
    expect(attributePauses(profile, { pauses: [{ fromUs: 1_001_000, toUs: 1_006_000, ms: 5 }], gcs: [] }, 6)).toEqual([]);
  });
});
