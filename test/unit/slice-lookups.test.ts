import { describe, expect, it } from 'vitest';
import { SliceLookups } from '../../bolts/slice-lookups';
import type { TabState } from '../../bolts/tab-state';

const entry = (tab: string, client: string, pinnedIn = 3): TabState =>
  ({ tab, client, pinnedIn, pruned: false }) as unknown as TabState;

describe('SliceLookups', () => {
  it('gives the states in the order the prefetch found them, each once', () => {
    const lookups = new SliceLookups();
    const a = entry('t1', 'c1');
    const b = entry('t2', 'c1');
    lookups.push(a);
    lookups.push(b);
    expect(lookups.take('t1', 'c1', 3)).toBe(a);
    expect(lookups.take('t2', 'c1', 3)).toBe(b);
    // Taken already: the fold looks it up in the task's map instead.
    expect(lookups.take('t1', 'c1', 3)).toBeUndefined();
  });

  it('skips runs the fold never asks for (a dead letter, the slice before\'s last state), a few places ahead at most', () => {
    const lookups = new SliceLookups();
    for (let i = 0; i < 10; i++) lookups.push(entry(`t${i}`, 'c'));
    expect(lookups.take('t2', 'c', 3)?.tab).toBe('t2');
    // Four places ahead of the next (t3): t7 is past them.
    expect(lookups.take('t7', 'c', 3)).toBeUndefined();
    expect(lookups.take('t6', 'c', 3)?.tab).toBe('t6');
  });

  it('fills a fetched state into its place, and gives nothing where nothing was stored', () => {
    const lookups = new SliceLookups();
    const at = lookups.push(undefined);
    lookups.push(undefined);
    const fetched = entry('t1', 'c1');
    lookups.set(at, fetched);
    expect(lookups.take('t1', 'c1', 3)).toBe(fetched);
    expect(lookups.take('t2', 'c2', 3)).toBeUndefined();
  });

  it('never gives a state pinned in another interval, a pruned one, or another Tab\'s or client\'s', () => {
    const lookups = new SliceLookups();
    const old = entry('t1', 'c1', 2);
    const pruned = entry('t2', 'c1');
    pruned.pruned = true;
    lookups.push(old);
    lookups.push(pruned);
    lookups.push(entry('t3', 'c1'));
    expect(lookups.take('t1', 'c1', 3)).toBeUndefined();
    expect(lookups.take('t2', 'c1', 3)).toBeUndefined();
    expect(lookups.take('t3', 'c2', 3)).toBeUndefined();
    lookups.clear();
    expect(lookups.take('t3', 'c1', 3)).toBeUndefined();
  });
});
