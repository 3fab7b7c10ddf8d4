// A state merged into another equals one state that folded both sets of
// events, in any order: what a Tab's record across its clients needs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../tabs/handlers/registry';
import type { TabEvent } from '../../tabs/event';

const registry = defaultRegistry();
const NOW = 1_700_000_000_000;
const HOUR = 60 * 60 * 1000;

/** Events over the last two days (older than every window, and inside each), integer values so sums do not depend on order. */
const events = (type: 'counter' | 'percentile' | 'unique' | 'gauge' | 'buffer') =>
  fc.array(
    fc.record({
      ago: fc.oneof(fc.integer({ min: 0, max: 60_000 }), fc.integer({ min: 0, max: 2 * HOUR }), fc.integer({ min: 0, max: 48 * HOUR })),
      value: type === 'unique' ? fc.constantFrom('u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8') : type === 'buffer' ? fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constantFrom('a', 'b')) : fc.integer({ min: 1, max: 1000 }),
    }),
    { maxLength: 60 },
  );

function folded(type: string, list: Array<{ ago: number; value: number | string }>): unknown {
  const handler = registry.get(type)!;
  const state = handler.newState();
  for (const { ago, value } of list) handler.fold(state, { tab: 't', type, value, time: NOW - ago, client: 'c' } as TabEvent);
  return state;
}

describe('mergeState of every built-in type', () => {
  for (const type of ['counter', 'percentile', 'unique', 'gauge', 'buffer'] as const) {
    it(`${type}: merging two clients' states = folding all their events into one, in any order`, () => {
      const handler = registry.get(type)!;
      fc.assert(
        fc.property(events(type), events(type), fc.integer({ min: 0, max: 3 * HOUR }), (a, b, later) => {
          const into = folded(type, a);
          const from = folded(type, b);
          const fromBytes = handler.serialize(from);
          handler.mergeState!(into, from);
          // `from` is left as it was.
          expect(handler.serialize(from)).toEqual(fromBytes);
          for (const all of [[...a, ...b], [...b, ...a], [...a, ...b].sort((x, y) => y.ago - x.ago)]) {
            const one = folded(type, all);
            for (const now of [NOW, NOW + later]) expect(handler.project(into, now)).toEqual(handler.project(one, now));
          }
        }),
        { numRuns: 150 },
      );
    });
  }

});
