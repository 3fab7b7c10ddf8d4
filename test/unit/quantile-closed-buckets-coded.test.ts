import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percentileHandler } from '../../tabs/handlers/percentile';
import { CodedQuantile, sketchClone, sketchCount, sketchSum, type QuantileSketch } from '../../tabs/sketches/quantile-sketch';
import type { WindowedState } from '../../tabs/windows/windowed-cells';

type State = WindowedState<QuantileSketch>;
const HOUR = 3_600_000;
const T = 1_800_000_000_000;
const event = (value: number, time: number) => ({ tab: 't', client: 'c', type: 'percentile', value, time });
const fold = (state: State, value: number, time: number) => percentileHandler.fold(state as never, event(value, time));
const serialize = (state: State) => percentileHandler.serialize(state as never);
const deserialize = (bytes: Uint8Array) => percentileHandler.deserialize(bytes) as State;
const rendered = (state: State, now: number) => percentileHandler.render(percentileHandler.project(state as never, now) as never);
const codedCells = (state: State) => state.slots.filter((c) => c instanceof CodedQuantile).length;

describe('a percentile state: closed buckets held as their bytes', () => {
  it('holds a closed bucket as its bytes once written or read, the newest ones and the all-time sketch as bins; the bytes never change', () => {
    const state = percentileHandler.newState() as State;
    // Values 40 s, 5 min, 30 min and 5 h ago, then now (T is on every window's bucket boundary): one closed bucket
    // in each window (1m: 40 s ago; 10m: 5 min; 1h: 30 min; 1d: 5 h), the others' values in its newest bucket.
    for (const ago of [40_000, 300_000, 1_800_000, 5 * HOUR]) for (let i = 0; i < 200; i++) fold(state, 1 + (i % 150) + ago / 1000, T - ago);
    for (let i = 0; i < 500; i++) fold(state, 1000 + i, T);
    expect(codedCells(state)).toBe(0);
    const bytes = serialize(state);
    expect(codedCells(state)).toBe(4);
    expect(state.all).not.toBeInstanceOf(CodedQuantile);
    // A coded cell's count and sum, at hand or from its bytes, are its values'.
    for (const cell of state.slots.filter((c) => c instanceof CodedQuantile)) {
      expect(sketchCount(cell!)).toBe(200);
      expect(sketchCount(sketchClone(cell!))).toBe(200);
      expect(sketchSum(cell!)).toBe(sketchSum(sketchClone(cell!)));
      expect(sketchClone(cell!)).not.toBeInstanceOf(CodedQuantile);
    }
    expect(serialize(state)).toEqual(bytes);
    const back = deserialize(bytes);
    expect(codedCells(back)).toBe(4);
    expect(serialize(back)).toEqual(bytes);
    expect(rendered(back, T)).toEqual(rendered(state, T));
    expect(rendered(back, T + 100_000)).toEqual(rendered(state, T + 100_000));
  });

  it('a late value decodes the closed bucket it reaches: it counts, and its next write holds it as its bytes again', () => {
    const reference = percentileHandler.newState() as State;
    const state = percentileHandler.newState() as State;
    // Closed buckets: the 1m window's of 40 s ago, the 1h window's of 30 min ago.
    for (const s of [reference, state]) {
      for (let i = 0; i < 300; i++) fold(s, 5 + i, T - 40_000);
      for (let i = 0; i < 300; i++) fold(s, 9 + i, T - 1_800_000);
      fold(s, 7, T);
    }
    serialize(state);
    expect(codedCells(state)).toBe(2);
    for (const s of [reference, state]) fold(s, 12345, T - 40_000);
    expect(codedCells(state)).toBe(1);
    expect(serialize(state)).toEqual(serialize(reference));
    expect(codedCells(state)).toBe(2);
    expect(rendered(state, T)).toEqual(rendered(reference, T));
  });

  it('folds, merges and stores as a state never written does, whatever the writes and reads between (a model)', () => {
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('value' as const),
        value: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        ago: fc.constantFrom(0, 10_000, 20_000, 130_000, 700_000, HOUR, 3 * HOUR),
        // As the fold bolt folds a message's events: a run's sketch merged into each bucket (a coded one decoded as the target).
        viaRun: fc.boolean(),
      }),
      fc.record({ kind: fc.constantFrom('write' as const, 'reread' as const) }),
    );
    let runsWithCoded = 0;
    const run = percentileHandler.newRun!();
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), fc.integer({ min: 0, max: 5 * HOUR }), (steps, advance) => {
        // The model folds every value and is never written; the other is written and read back as the steps say.
        const model = percentileHandler.newState() as State;
        let held = percentileHandler.newState() as State;
        let now = T;
        for (const s of steps) {
          if (s.kind === 'value') {
            fold(model, s.value, now - s.ago);
            if (s.viaRun) {
              expect(run.add(event(s.value, now - s.ago))).toBe(true);
              run.foldInto(held as never);
              run.clear();
            } else {
              fold(held, s.value, now - s.ago);
            }
            now += 1000;
          } else if (s.kind === 'write') {
            serialize(held);
          } else {
            held = deserialize(serialize(held));
          }
        }
        if (codedCells(held) > 0) runsWithCoded++;
        expect(serialize(held)).toEqual(serialize(model));
        expect(rendered(held, now + advance)).toEqual(rendered(model, now + advance));
        // Merged into a fresh state (a Tab record rebuilt from its clients), then into the model's copy.
        const merged = percentileHandler.newState() as State;
        percentileHandler.mergeState!(merged as never, held as never);
        percentileHandler.mergeState!(merged as never, deserialize(serialize(model)) as never);
        const twice = percentileHandler.newState() as State;
        percentileHandler.mergeState!(twice as never, model as never);
        percentileHandler.mergeState!(twice as never, model as never);
        expect(serialize(merged)).toEqual(serialize(twice));
      }),
      { numRuns: 150 },
    );
    // The model is met with closed buckets held coded, not only without.
    expect(runsWithCoded).toBeGreaterThan(30);
  });
});
