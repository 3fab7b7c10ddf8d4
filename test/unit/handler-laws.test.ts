// The laws every Tab type must keep, checked with random events: merging
// projections is commutative and associative and equals folding the union;
// states survive serialization; an unknown version byte fails clearly.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TabEvent } from '../../tabs/event';
import type { TabHandler } from '../../tabs/handlers/handler';
import { defaultRegistry } from '../../tabs/handlers/registry';
import { createGaugeHandler } from '../../tabs/handlers/gauge';
import { createBufferHandler } from '../../tabs/handlers/buffer';
import { UnknownStateVersionError } from '../../tabs/codec/state-version';
import { createHistogramType } from '../../examples/histogram-type';

const DAY = 86_400_000;
const NOW = 1_700_000_000_000;

const registry = defaultRegistry()
  .register(createGaugeHandler({ type: 'gauge-5m', expireAfterMs: 300_000 }))
  .register(createBufferHandler({ type: 'buffer-3', size: 3, expireAfterMs: 3_600_000 }))
  // The example of a pluggable type (examples/histogram-type.ts) keeps the same laws.
  .register(createHistogramType({ bounds: [-1, 0, 0.25, 1000] }));

// Integer and dyadic values keep sums exact whatever the merge order (other
// floats may differ in the last bits); the few distinct
// strings make unique values repeat.
const numberValue = fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.constantFrom(0, 1, -0.5, 0.25, 0.125, 123456.75));
const stringValue = fc.oneof(fc.constantFrom('a', 'b', 'user-1', 'ü', ''), fc.string({ maxLength: 6 }));
// Mostly in the last two days, some right at bucket boundaries, and all-time outliers.
const time = fc.oneof(
  fc.integer({ min: NOW - 2 * DAY, max: NOW }),
  fc.integer({ min: 0, max: 240 }).map((k) => NOW - k * 600_000),
  fc.integer({ min: 0, max: NOW - 2 * DAY }),
);

function valueFor(handler: TabHandler): fc.Arbitrary<number | string> {
  if (handler.valueKind === 'number') return numberValue;
  if (handler.valueKind === 'string') return stringValue;
  return fc.oneof(numberValue, stringValue);
}

function eventsFor(handler: TabHandler, maxLength = 40): fc.Arbitrary<TabEvent[]> {
  return fc.array(
    fc.record({ value: valueFor(handler), time, client: fc.constantFrom('c1', 'c2') }).map((e) => ({ tab: 't', type: handler.type, ...e })),
    { maxLength },
  );
}

function foldAll(handler: TabHandler, events: readonly TabEvent[]): unknown {
  const state = handler.newState();
  for (const e of events) handler.fold(state, e);
  return state;
}

const projectAll = (handler: TabHandler, events: readonly TabEvent[], now = NOW) => handler.project(foldAll(handler, events), now);
/** What a reader sees; equal renders are the equality the laws are about. */
const view = (handler: TabHandler, projection: unknown) => handler.render(projection);

it('the windowed built-in types judge stored states from their bytes', () => {
  expect(registry.types().filter((t) => registry.get(t)!.prunesStored !== undefined)).toEqual(expect.arrayContaining(['counter', 'percentile', 'unique']));
});

describe.each(registry.types())('%s handler', (type) => {
  const handler = registry.get(type)!;

  it('merges commutatively and associatively, and merging equals folding the union', () => {
    fc.assert(
      fc.property(eventsFor(handler), eventsFor(handler), eventsFor(handler), fc.integer({ min: 0, max: 3_600_000 }), (a, b, c, ahead) => {
        const now = NOW + ahead;
        const [pa, pb, pc] = [a, b, c].map((events) => projectAll(handler, events, now));
        const ab = handler.merge(pa, pb);
        expect(view(handler, ab)).toEqual(view(handler, handler.merge(pb, pa)));
        expect(view(handler, handler.merge(ab, pc))).toEqual(view(handler, handler.merge(pa, handler.merge(pb, pc))));
        // Fold the union in another order than the parts: the result must not care.
        const union = [...c, ...b, ...a].reverse();
        expect(view(handler, handler.merge(ab, pc))).toEqual(view(handler, projectAll(handler, union, now)));
      }),
      { numRuns: 150 },
    );
  });

  it('does not change its inputs when merging', () => {
    fc.assert(
      fc.property(eventsFor(handler), eventsFor(handler), (a, b) => {
        const [pa, pb] = [a, b].map((events) => projectAll(handler, events));
        const before = [view(handler, pa), view(handler, pb)];
        handler.merge(pa, pb);
        handler.merge(pb, pa);
        expect([view(handler, pa), view(handler, pb)]).toEqual(before);
      }),
      { numRuns: 50 },
    );
  });

  it('round-trips its state through bytes', () => {
    fc.assert(
      fc.property(eventsFor(handler, 80), (events) => {
        const state = foldAll(handler, events);
        const bytes = handler.serialize(state);
        const back = handler.deserialize(bytes);
        expect(view(handler, handler.project(back, NOW))).toEqual(view(handler, handler.project(state, NOW)));
        expect(handler.serialize(back)).toEqual(bytes);
        // A restored state keeps folding like the original.
        const more: TabEvent = { tab: 't', type, value: handler.valueKind === 'string' ? 'z' : 7, time: NOW, client: 'c1' };
        handler.fold(state, more);
        handler.fold(back, more);
        expect(handler.serialize(back)).toEqual(handler.serialize(state));
      }),
      { numRuns: 100 },
    );
  });

  it('judges a stored state from its bytes as from the state (prunesStored), where the bytes tell', () => {
    if (handler.prunesStored === undefined) return;
    const now = fc.oneof(fc.integer({ min: NOW - DAY, max: NOW + 10 * DAY }), fc.constantFrom(NOW, NOW + 2 * DAY, NOW + 2 * DAY + 1));
    const staleAfter = fc.constantFrom(0, 1, 30 * 60_000, DAY, 2 * DAY);
    fc.assert(
      fc.property(eventsFor(handler), now, staleAfter, (events, at, staleAfterMs) => {
        const state = foldAll(handler, events);
        const verdict = handler.prunesStored!(handler.serialize(state), at, staleAfterMs);
        // A state that saw an event is judged from its bytes (else this law would hold of nothing).
        if (events.length > 0) expect(verdict).toBeDefined();
        if (verdict === undefined) return;
        expect(verdict).toBe(handler.shouldPrune(state, at) || (staleAfterMs > 0 && handler.isStale!(state, at, staleAfterMs)));
      }),
      { numRuns: 300 },
    );
    expect(handler.prunesStored(Uint8Array.from([9, 1]), NOW, DAY)).toBeUndefined();
  });

  it('renders a stored state from its bytes as from the state (renderStored), at any time', () => {
    if (handler.renderStored === undefined) return;
    const now = fc.oneof(fc.integer({ min: NOW - DAY, max: NOW + 2 * DAY }), fc.constantFrom(NOW, NOW + 60_000, NOW + 3_600_000));
    fc.assert(
      fc.property(eventsFor(handler, 80), now, (events, at) => {
        const bytes = handler.serialize(foldAll(handler, events));
        expect(handler.renderStored!(bytes, at)).toEqual(view(handler, handler.project(handler.deserialize(bytes), at)));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an unknown version byte, empty bytes and truncated bytes clearly', () => {
    const bytes = handler.serialize(foldAll(handler, [{ tab: 't', type, value: handler.valueKind === 'string' ? 'v' : 2, time: NOW, client: 'c' }]));
    // The version written (unique is at 3, the others at 1); older ones may still be read, never a newer one.
    const written = bytes[0]!;
    expect(written).toBe(type === 'unique' ? 3 : 1);
    for (const version of [0, written + 1, 255]) {
      const changed = bytes.slice();
      changed[0] = version;
      expect(() => handler.deserialize(changed)).toThrow(UnknownStateVersionError);
      expect(() => handler.deserialize(changed)).toThrow(new RegExp(`${type} state: unknown format version ${version}`));
    }
    expect(() => handler.deserialize(new Uint8Array())).toThrow(UnknownStateVersionError);
    expect(() => handler.deserialize(bytes.slice(0, bytes.length - 1))).toThrow(new RegExp(`${type} state: truncated`));
    expect(() => handler.deserialize(Uint8Array.from([...bytes, 0]))).toThrow(/trailing bytes/);
    // Rendered from bytes, the same refusals.
    if (handler.renderStored === undefined) return;
    const changed = bytes.slice();
    changed[0] = written + 1;
    expect(() => handler.renderStored!(changed, NOW)).toThrow(UnknownStateVersionError);
    expect(() => handler.renderStored!(bytes.slice(0, bytes.length - 1), NOW)).toThrow(new RegExp(`${type} state: truncated`));
    expect(() => handler.renderStored!(Uint8Array.from([...bytes, 0]), NOW)).toThrow(/trailing bytes/);
  });

  it('renders an all window, and an empty state projects and prunes as empty', () => {
    const empty = handler.newState();
    expect(view(handler, handler.project(empty, NOW))).toHaveProperty('all');
    expect(handler.shouldPrune(empty, NOW)).toBe(true);
    expect(handler.shouldPrune(foldAll(handler, [{ tab: 't', type, value: handler.valueKind === 'string' ? 'v' : 2, time: NOW, client: 'c' }]), NOW)).toBe(false);
  });
});
