// A windowed state keeps the bytes its large cells were written as, once one
// was written twice unchanged, until they change (WindowedCells.write). The law: whatever the folds, merges and rings
// rolling between two writes, a state that kept bytes writes exactly what the
// same state writes with nothing kept (every cell encoded afresh).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percentileHandler } from '../../tabs/handlers/percentile';
import { uniqueHandler } from '../../tabs/handlers/unique';
import type { TabHandler } from '../../tabs/handlers/handler';
import type { TabEvent } from '../../tabs/event';
import type { WindowedState } from '../../tabs/windows/windowed-cells';

const NOW = 1_700_000_000_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

type Step =
  | { kind: 'fold'; ago: number; value: number; many: number }
  | { kind: 'merge'; ago: number; value: number; many: number }
  | { kind: 'write' };

// Times from just ahead of now to two days back, and runs of many values, so cells grow past the
// size whose bytes are kept, rings roll (a later time) and old times miss the narrow rings.
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('fold' as const), ago: fc.oneof(fc.integer({ min: -10_000, max: 20 * MINUTE }), fc.integer({ min: 0, max: 48 * HOUR })), value: fc.integer({ min: 0, max: 5_000 }), many: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ kind: fc.constant('merge' as const), ago: fc.integer({ min: -10_000, max: 3 * HOUR }), value: fc.integer({ min: 0, max: 5_000 }), many: fc.integer({ min: 1, max: 400 }) }),
  fc.constant({ kind: 'write' as const }),
);

function eventsOf(type: string, s: { ago: number; value: number; many: number }, clock: number): TabEvent[] {
  return Array.from({ length: s.many }, (_, i) => ({
    tab: 't',
    client: 'c',
    type,
    value: (type === 'unique' ? `user-${s.value + i}` : ((s.value + 1) * (i + 1)) / 7) as never,
    time: clock - s.ago + (i % 10),
  }) as TabEvent);
}

function law(handler: TabHandler, type: string): void {
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
      const kept = handler.newState();
      const fresh = handler.newState();
      // The clock moves on as the steps go, so later folds roll the rings.
      let clock = NOW;
      let keptSome = false;
      const compare = () => {
        const a = handler.serialize(kept);
        (fresh as WindowedState<unknown>).written = undefined;
        const b = handler.serialize(fresh);
        expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
        keptSome ||= (kept as WindowedState<unknown>).written?.some((w) => w !== undefined && w.length > 0) ?? false;
      };
      for (const s of steps) {
        clock += 7 * MINUTE;
        if (s.kind === 'write') {
          compare();
        } else if (s.kind === 'fold') {
          for (const e of eventsOf(type, s, clock)) {
            handler.fold(kept, e);
            handler.fold(fresh, e);
          }
        } else {
          const other = handler.newState();
          for (const e of eventsOf(type, s, clock)) handler.fold(other, e);
          handler.mergeState!(kept, other);
          handler.mergeState!(fresh, other);
        }
      }
      // Written three times unchanged: the second keeps the large cells' bytes, the third writes them.
      compare();
      compare();
      compare();
      return keptSome || steps.every((s) => s.kind === 'write' || s.many < 300);
    }),
    { numRuns: 150 },
  );
}

describe('a windowed state writes its kept cell bytes only while the cells are unchanged', () => {
  it('unique: kept bytes = bytes encoded afresh, after any folds, merges and rolls', () => law(uniqueHandler, 'unique'));
  it('percentile: kept bytes = bytes encoded afresh, after any folds, merges and rolls', () => law(percentileHandler, 'percentile'));

  it('keeps the large cells of a written record, and drops a cell that changed', () => {
    const state = uniqueHandler.newState();
    for (let i = 0; i < 600; i++) uniqueHandler.fold(state, { tab: 't', client: 'c', type: 'unique', value: `u${i}`, time: NOW } as TabEvent);
    const kept = () => state.written!.filter((w) => w !== undefined && w.length > 0).length;
    const first = uniqueHandler.serialize(state).slice();
    // Written once: nothing kept yet (a cell that changes at every write would only make garbage).
    expect(kept()).toBe(0);
    const second = uniqueHandler.serialize(state).slice();
    // Unchanged since: the newest bucket of each of the four rings and `all` keep their bytes.
    expect(kept()).toBe(5);
    expect(Buffer.from(uniqueHandler.serialize(state)).equals(Buffer.from(first))).toBe(true);
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    uniqueHandler.fold(state, { tab: 't', client: 'c', type: 'unique', value: 'new', time: NOW } as TabEvent);
    expect(kept()).toBe(0);
  });
});
