import { describe, expect, it } from 'vitest';
import { createGaugeHandler, gaugeHandler } from '../../tabs/handlers/gauge';
import type { TabEvent } from '../../tabs/event';

const T = 1_700_000_000_000;
const event = (time: number, value: number): TabEvent => ({ tab: 'temp', type: 'gauge', value, time, client: 'c' });

describe('gauge', () => {
  it('keeps the value with the latest event time, not the last to arrive', () => {
    const state = gaugeHandler.newState();
    for (const e of [event(T, 20), event(T + 2_000, 22), event(T + 1_000, 99)]) gaugeHandler.fold(state, e);
    expect(gaugeHandler.render(gaugeHandler.project(state, T + 5_000))).toEqual({
      value: 22,
      time: T + 2_000,
      all: { count: 3, value: 22, time: T + 2_000 },
    });
  });

  it('breaks a tie of times by the larger value, whatever the order', () => {
    const a = gaugeHandler.newState();
    const b = gaugeHandler.newState();
    for (const e of [event(T, 1), event(T, 5)]) gaugeHandler.fold(a, e);
    for (const e of [event(T, 5), event(T, 1)]) gaugeHandler.fold(b, e);
    expect(gaugeHandler.project(a, T)).toEqual(gaugeHandler.project(b, T));
    expect(gaugeHandler.project(a, T).value).toBe(5);
  });

  it('merges clients: the latest wins and counts add up', () => {
    const a = gaugeHandler.newState();
    const b = gaugeHandler.newState();
    gaugeHandler.fold(a, event(T + 10, 1));
    gaugeHandler.fold(b, event(T + 20, 2));
    gaugeHandler.fold(b, event(T, 3));
    expect(gaugeHandler.merge(gaugeHandler.project(a, T + 30), gaugeHandler.project(b, T + 30))).toEqual({ count: 3, value: 2, time: T + 20 });
  });

  it('hides an expired value and lets its state be pruned', () => {
    const expiring = createGaugeHandler({ type: 'gauge-1m', expireAfterMs: 60_000 });
    const state = expiring.newState();
    expiring.fold(state, event(T, 7));
    expect(expiring.project(state, T + 59_999).value).toBe(7);
    expect(expiring.shouldPrune(state, T + 59_999)).toBe(false);
    expect(expiring.project(state, T + 60_000)).toEqual({ count: 1, value: null, time: null });
    expect(expiring.shouldPrune(state, T + 60_000)).toBe(true);
    // Without expiry the value stays.
    const keeping = gaugeHandler.newState();
    gaugeHandler.fold(keeping, event(T, 7));
    expect(gaugeHandler.project(keeping, T + 365 * 86_400_000).value).toBe(7);
    expect(gaugeHandler.shouldPrune(keeping, T + 365 * 86_400_000)).toBe(false);
  });

  it('merges an expired projection with a live one as the live one', () => {
    const expiring = createGaugeHandler({ type: 'gauge-1m', expireAfterMs: 60_000 });
    const old = expiring.newState();
    const fresh = expiring.newState();
    expiring.fold(old, event(T, 100));
    expiring.fold(fresh, event(T + 90_000, 1));
    const now = T + 100_000;
    expect(expiring.merge(expiring.project(old, now), expiring.project(fresh, now))).toEqual({ count: 2, value: 1, time: T + 90_000 });
  });
});
