import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { movesBetween, stickyAssignment, type PartitionOwners } from '../../topology/coordination/sticky-assignment';

const workers = (...ids: string[]) => ids.map((id) => ({ id, capacity: Infinity }));
const counts = (o: PartitionOwners) => {
  const c: Record<string, number> = {};
  for (const w of Object.values(o)) c[w] = (c[w] ?? 0) + 1;
  return c;
};

describe('stickyAssignment', () => {
  it('spreads partitions evenly across workers', () => {
    const a = stickyAssignment(12, workers('w1', 'w2', 'w3'));
    expect(counts(a)).toEqual({ w1: 4, w2: 4, w3: 4 });
  });

  it('moves only the dead worker’s partitions when one dies', () => {
    const before = stickyAssignment(12, workers('w1', 'w2', 'w3'));
    const after = stickyAssignment(12, workers('w1', 'w3'), before);
    expect(movesBetween(before, after)).toBe(4);
    for (const [p, w] of Object.entries(before)) if (w !== 'w2') expect(after[Number(p)]).toBe(w);
    expect(counts(after)).toEqual({ w1: 6, w3: 6 });
  });

  it('moves the fewest partitions to a new worker', () => {
    const before = stickyAssignment(12, workers('w1', 'w2'));
    const after = stickyAssignment(12, workers('w1', 'w2', 'w3'), before);
    expect(movesBetween(before, after)).toBe(4);
    expect(counts(after)).toEqual({ w1: 4, w2: 4, w3: 4 });
  });

  it('respects capacities and leaves what fits nowhere unowned', () => {
    const a = stickyAssignment(5, [
      { id: 'a', capacity: 1 },
      { id: 'b', capacity: 2 },
    ]);
    expect(counts(a)).toEqual({ a: 1, b: 2 });
    expect(Object.keys(a)).toHaveLength(3);
  });

  it('is empty without workers', () => {
    expect(stickyAssignment(4, [])).toEqual({});
  });

  it('always owns every partition once, balanced within one, and is deterministic', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,3}$/), { minLength: 1, maxLength: 8 }),
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,3}$/), { minLength: 1, maxLength: 8 }),
        (n, first, second) => {
          const a = stickyAssignment(n, workers(...first));
          const b = stickyAssignment(n, workers(...second), a);
          for (const o of [a, b]) {
            expect(Object.keys(o)).toHaveLength(n);
            const c = Object.values(counts(o));
            expect(Math.max(...c) - Math.min(...c, Infinity)).toBeLessThanOrEqual(1);
          }
          expect(stickyAssignment(n, workers(...[...second].reverse()), a)).toEqual(b);
          // Every surviving worker keeps what it had, up to its fair share: only the excess moves.
          const share = Math.floor(n / second.length);
          for (const w of second) {
            const had = Object.values(a).filter((x) => x === w).length;
            const kept = Object.entries(a).filter(([p, x]) => x === w && b[Number(p)] === w).length;
            expect(kept).toBeGreaterThanOrEqual(Math.min(had, share));
          }
        },
      ),
    );
  });
});
