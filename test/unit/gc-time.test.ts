import { PerformanceObserver } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { processGcSeconds } from '../../topology/runtime/gc-time';

const total = (seconds: Readonly<Record<string, number>>) => Object.values(seconds).reduce((a, b) => a + b, 0);

describe("processGcSeconds: the collector's time by kind", () => {
  it('counts every collection of every batch, as an observer of its own sums them', async () => {
    const before = total(processGcSeconds());
    let seen = 0;
    let entries = 0;
    const own = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        seen += entry.duration / 1000;
        entries++;
      }
    });
    own.observe({ entryTypes: ['gc'] });
    // Garbage enough for many scavenges, in several turns of the loop (the observers get their entries in batches).
    for (let turn = 0; turn < 5; turn++) {
      let junk: object[] = [];
      for (let i = 0; i < 300_000; i++) junk.push({ i, s: `x${i}` });
      junk = [];
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    own.disconnect();
    expect(entries).toBeGreaterThan(5);
    expect(processGcSeconds().minor).toBeGreaterThan(0);
    // Both saw the same collections (the one started first may have seen a few more before the other began).
    expect(total(processGcSeconds()) - before).toBeGreaterThanOrEqual(seen * 0.95);
  });
});
