// serve's per-topology Tab types: one load per topology, reused; refreshed in
// the background once stale; a failed load answered for a while, then retried.
import { describe, expect, it } from 'vitest';
import { defaultRegistry, type HandlerRegistry } from '../../tabs/handlers/registry';
import { TopologyTypesCache } from '../../ui/topology-types-cache';
import { createHistogramType } from '../../examples/histogram-type';

const REUSE_MS = 5000;

function harness() {
  let now = 0;
  const loads: string[] = [];
  const next: Array<() => Promise<HandlerRegistry>> = [];
  const cache = new TopologyTypesCache(
    (topology, refresh) => {
      loads.push(refresh ? `${topology} (refresh)` : topology);
      return (next.shift() ?? (() => Promise.resolve(defaultRegistry())))();
    },
    REUSE_MS,
    () => now,
  );
  return { cache, loads, next, advance: (ms: number) => void (now += ms) };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('TopologyTypesCache', () => {
  it('loads each topology once while fresh, concurrent requests sharing the load', async () => {
    const { cache, loads } = harness();
    const [a, b] = await Promise.all([cache.get('t1'), cache.get('t1')]);
    expect(a).toBe(b);
    expect(await cache.get('t1')).toBe(a);
    await cache.get('t2');
    expect(loads).toEqual(['t1', 't2']);
  });

  it('once stale, answers with the loaded types at once and takes a fresh load in the background', async () => {
    const { cache, loads, next, advance } = harness();
    const first = await cache.get('t');
    advance(REUSE_MS);
    const newer = defaultRegistry().register(createHistogramType({ bounds: [1] }));
    let release!: () => void;
    next.push(() => new Promise<HandlerRegistry>((resolve) => (release = () => resolve(newer))));
    expect(await cache.get('t')).toBe(first);
    expect(await cache.get('t')).toBe(first); // one background load at a time
    expect(loads).toEqual(['t', 't (refresh)']);
    release();
    await flush();
    expect(await cache.get('t')).toBe(newer);
  });

  it('keeps the last good types when a background load fails', async () => {
    const { cache, loads, next, advance } = harness();
    const first = await cache.get('t');
    advance(REUSE_MS);
    next.push(() => Promise.reject(new Error('ZooKeeper gone')));
    expect(await cache.get('t')).toBe(first);
    await flush();
    expect(await cache.get('t')).toBe(first);
    expect(loads).toHaveLength(2);
    advance(REUSE_MS);
    expect(await cache.get('t')).toBe(first);
    expect(loads).toHaveLength(3);
  });

  it('answers a failed first load with its error until it is stale, then loads again', async () => {
    const { cache, loads, next, advance } = harness();
    next.push(() => Promise.reject(new Error('topology module /x.ts failed to load: boom')));
    await expect(cache.get('t')).rejects.toThrow('topology module /x.ts failed to load: boom');
    await expect(cache.get('t')).rejects.toThrow('boom');
    expect(loads).toHaveLength(1);
    advance(REUSE_MS);
    expect((await cache.get('t')).types()).toContain('counter');
    expect(loads).toEqual(['t', 't']); // loaded anew, not refreshed: no earlier types to keep
  });
});
