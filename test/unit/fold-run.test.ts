// A run of events folded at once (TabHandler.newRun) gives the state that
// folding them one by one gives: what the fold bolt's runs rely on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../tabs/handlers/registry';
import type { TabEvent } from '../../tabs/event';

const registry = defaultRegistry();
const NOW = 1_700_000_000_000;
const HOUR = 60 * 60 * 1000;

/**
 * Events mostly close together (runs of one bucket), sometimes far apart and
 * out of order (runs broken, rings moved on, buckets too old for a ring);
 * integer values so sums do not depend on order.
 */
const events = (type: 'counter' | 'percentile' | 'unique') =>
  fc.array(
    fc.record({
      ago: fc.oneof(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 2 * HOUR }), fc.integer({ min: 0, max: 48 * HOUR })),
      value: type === 'unique' ? fc.constantFrom('u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8') : fc.integer({ min: -5, max: 1000 }),
    }),
    { maxLength: 80 },
  );

describe('folding a run at once = folding its events one by one', () => {
  for (const type of ['counter', 'percentile', 'unique'] as const) {
    it(type, () => {
      const handler = registry.get(type)!;
      const run = handler.newRun!();
      fc.assert(
        fc.property(events(type), events(type), fc.integer({ min: 0, max: 3 * HOUR }), (before, list, later) => {
          const start = (): unknown => {
            const state = handler.newState();
            for (const { ago, value } of before) handler.fold(state, { tab: 't', type, value, time: NOW - 2 * HOUR - ago, client: 'c' } as TabEvent);
            return state;
          };
          const one = start();
          const runs = start();

          for (const { ago, value } of list) {
            const event = { tab: 't', type, value, time: NOW - ago, client: 'c' } as TabEvent;
            handler.fold(one, event);
            if (run.add(event)) continue;
            run.foldInto(runs);
            run.clear();

            expect(run.add(event)).toBe(true);
          }
          run.foldInto(runs);
          run.clear();
          expect(run.size).toBe(0);
          expect(handler.serialize(runs)).toEqual(handler.serialize(one));
          for (const now of [NOW, NOW + later]) expect(handler.project(runs, now)).toEqual(handler.project(one, now));

        }),
        { numRuns: 300 },
      );
    });
  }

  it('a run holds events of one bucket of the finest window only', () => {
    const handler = registry.get('counter')!;
    const run = handler.newRun!();
    const at = (time: number) => ({ tab: 't', type: 'counter', value: 1, time, client: 'c' }) as TabEvent;
    // Counter buckets of the 1m window are 10 s: (NOW - 10 s, NOW] is one of them when NOW is a multiple of 10 s.
    expect(NOW % 10_000).toBe(0);
    expect(run.add(at(NOW - 9_999))).toBe(true);
    expect(run.add(at(NOW))).toBe(true);
    expect(run.add(at(NOW - 5_000))).toBe(true);
    expect(run.add(at(NOW + 1))).toBe(false);
    expect(run.add(at(NOW - 10_000))).toBe(false);
    expect(run.size).toBe(3);
  });
});
