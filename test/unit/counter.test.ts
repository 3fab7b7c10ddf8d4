import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { counterHandler } from '../../tabs/handlers/counter';
import type { TabEvent } from '../../tabs/event';
import { bucketIndex, FINE_WINDOWS } from '../../tabs/windows/window-spec';

const T0 = 1_700_000_000_000 - (1_700_000_000_000 % 86_400_000); // a day boundary
const event = (time: number, value = 1): TabEvent => ({ tab: 't', type: 'counter', value, time, client: 'c' });

function foldAll(events: TabEvent[]) {
  const state = counterHandler.newState();
  for (const e of events) counterHandler.fold(state, e);
  return state;
}

describe('counter', () => {
  it('counts, totals and averages per window and all time', () => {
    const state = foldAll([event(T0 - 5_000, 2), event(T0 - 30 * 60_000, 4), event(T0 - 3 * 3_600_000, 6)]);
    const rendered = counterHandler.render(counterHandler.project(state, T0));
    expect(rendered['1m']).toEqual({ count: 1, total: 2, average: 2 });
    expect(rendered['10m']).toEqual({ count: 1, total: 2, average: 2 });
    expect(rendered['1h']).toEqual({ count: 2, total: 6, average: 3 });
    expect(rendered['1d']).toEqual({ count: 3, total: 12, average: 4 });
    expect(rendered.all).toEqual({ count: 3, total: 12, average: 4 });
  });

  it('renders decimal totals without floating-point noise, and integer totals exactly', () => {
    const decimals = counterHandler.render(counterHandler.project(foldAll([event(T0, 0.1), event(T0, 0.2)]), T0));
    expect(decimals.all).toEqual({ count: 2, total: 0.3, average: 0.15 });
    const big = counterHandler.render(counterHandler.project(foldAll([event(T0, 2 ** 53 - 2), event(T0, 1)]), T0));
    expect((big.all as { total: number }).total).toBe(2 ** 53 - 1);
  });

  it('renders an empty window with a null average', () => {
    const rendered = counterHandler.render(counterHandler.project(counterHandler.newState(), T0));
    expect(rendered['1m']).toEqual({ count: 0, total: 0, average: null });
    expect(Object.keys(rendered)).toEqual(['1m', '10m', '1h', '1d', 'all']);
  });

  it('is exact at every bucket boundary: (now - W, now] and nothing else', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -90_000_000, max: 1_000_000 }), fc.integer({ min: -50, max: 50 })), { maxLength: 60 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: -200, max: 30 }),
        (offsets, w, step) => {
          const spec = FINE_WINDOWS[w];
          const events = offsets.map(([dt, v]) => event(T0 + dt, v));
          const state = foldAll(events);
          const now = T0 + step * spec.bucketMs; // a boundary of this window's buckets
          const windowMs = spec.bucketMs * spec.buckets;
          const inWindow = events.filter((e) => e.time > now - windowMs && e.time <= now);
          const maxTime = Math.max(...events.map((e) => e.time));
          // Exact while no event lies more than a bucket after now (the ring's one bucket of slack).
          fc.pre(events.length === 0 || bucketIndex(maxTime, spec.bucketMs) <= bucketIndex(now, spec.bucketMs) + 1);
          const cell = counterHandler.project(state, now)[spec.name];
          expect(cell.count).toBe(inWindow.length);
          expect(cell.total).toBe(inWindow.reduce((s, e) => s + (e.value as number), 0));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never counts an event older than the window between boundaries', () => {
    const state = foldAll([event(T0 + 1), event(T0 + 9_999), event(T0 + 10_000), event(T0 + 10_001)]);
    // At T0 + 60_001 the 1m window (10 s buckets) is the buckets ending T0+20s .. T0+70s.
    expect(counterHandler.project(state, T0 + 60_001)['1m'].count).toBe(1);
    expect(counterHandler.project(state, T0 + 60_000)['1m'].count).toBe(4);
    expect(counterHandler.project(state, T0 + 10_000)['1m'].count).toBe(3);
  });

  it('tolerates events up to a bucket ahead of the reader', () => {
    // A client clock 5 s ahead puts an event in the next 10 s bucket; the 1m window at T0 still has all 6 buckets.
    const state = foldAll([event(T0 - 55_000), event(T0 + 5_000)]);
    expect(counterHandler.project(state, T0)['1m'].count).toBe(1); // the one 55 s ago
    expect(counterHandler.project(state, T0 + 10_000)['1m'].count).toBe(1); // the one stamped ahead
  });

  it('keeps late events in the wider windows and all time', () => {
    const state = foldAll([event(T0), event(T0 - 2 * 60_000)]);
    const p = counterHandler.project(state, T0);
    expect(p['1m'].count).toBe(1);
    expect(p['10m'].count).toBe(2);
    expect(p.all.count).toBe(2);
  });

  it('round-trips through bytes and stays small', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -90_000_000, max: 0 }), fc.double({ noNaN: true, noDefaultInfinity: true }))), (items) => {
        const state = foldAll(items.map(([dt, v]) => event(T0 + dt, v)));
        const back = counterHandler.deserialize(counterHandler.serialize(state));
        expect(counterHandler.project(back, T0)).toEqual(counterHandler.project(state, T0));
        // The same buckets (a sparse state's entries may come in another order): the same bytes.
        expect(counterHandler.serialize(back)).toEqual(counterHandler.serialize(state));
      }),
    );
    // A busy counter of 1s: every one of the 52 buckets filled.
    const busy = counterHandler.newState();
    for (let t = T0 - 86_400_000; t <= T0; t += 500) counterHandler.fold(busy, event(t));
    expect(counterHandler.serialize(busy).length).toBeLessThanOrEqual(256);
  });

  it('refuses an unknown format version clearly', () => {
    const bytes = counterHandler.serialize(foldAll([event(T0)]));
    bytes[0] = 9;
    expect(() => counterHandler.deserialize(bytes)).toThrow(/counter state: unknown format version 9/);
    expect(() => counterHandler.deserialize(new Uint8Array())).toThrow(/no format version/);
    expect(() => counterHandler.deserialize(counterHandler.serialize(foldAll([event(T0)])).slice(0, 3))).toThrow(/truncated/);
  });
});
