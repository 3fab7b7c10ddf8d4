import { describe, expect, it } from 'vitest';
import { WorkingSet, type Evictor } from '../../contracts/working-set';

/** A holder that frees only a share of what it is asked per call (as a packed arena that compacts late), while it holds anything. */
class SlowEvictor implements Evictor {
  calls = 0;
  constructor(
    private readonly set: WorkingSet,
    public holding: number,
    private readonly share: number,
  ) {
    set.add(holding);
  }
  evict(bytes: number): void {
    this.calls++;
    const freed = Math.min(this.holding, Math.ceil(bytes * this.share));
    this.holding -= freed;
    this.set.remove(freed);
  }
}

describe('WorkingSet.reclaim', () => {
  it('goes on asking until the process is at its low mark when holders free less than asked', () => {
    const set = new WorkingSet(1000, 0.9);
    const a = new SlowEvictor(set, 800, 0.3);
    const b = new SlowEvictor(set, 800, 0.3);
    set.register(a);
    set.register(b);
    set.reclaim();
    expect(set.bytes).toBeLessThanOrEqual(1000);
    expect(set.bytes).toBe(a.holding + b.holding);
  });

  it('stops when no holder can free anything, over budget (the bound is soft)', () => {
    const set = new WorkingSet(1000, 0.9);
    const stuck = new SlowEvictor(set, 3000, 0);
    set.register(stuck);
    set.reclaim();
    expect(set.bytes).toBe(3000);
    expect(stuck.calls).toBe(1);
  });

  it('asks nobody under budget', () => {
    const set = new WorkingSet(1000, 0.9);
    const a = new SlowEvictor(set, 900, 1);
    set.register(a);
    set.reclaim();
    expect(a.calls).toBe(0);
  });
});
