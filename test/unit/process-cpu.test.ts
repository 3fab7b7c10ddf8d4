import { describe, expect, it } from 'vitest';
import { cpuSecondsOf } from '../../bench/process-cpu';

describe('cpuSecondsOf', () => {
  it('reads a process’s CPU seconds from /proc, as process.cpuUsage counts them, and NaN for a process that is gone', () => {
    const before = cpuSecondsOf(process.pid);
    const usageBefore = process.cpuUsage();
    // About 0.3 CPU-s of work, far more than the 10 ms ticks /proc counts in.
    const until = performance.now() + 300;
    let spins = 0;
    while (performance.now() < until) spins++;
    const used = process.cpuUsage(usageBefore);
    const after = cpuSecondsOf(process.pid);
    expect(spins).toBeGreaterThan(0);
    const measured = after - before;
    const expected = (used.user + used.system) / 1e6;
    // Other threads (the collector's, vitest's) may add a little; ticks round down.
    expect(measured).toBeGreaterThan(expected - 0.05);
    expect(measured).toBeLessThan(expected + 0.2);
    expect(cpuSecondsOf(2 ** 22 + 12345)).toBeNaN();
  });
});
