import { describe, expect, it } from 'vitest';
import { bufferHandler, createBufferHandler } from '../../tabs/handlers/buffer';
import type { TabEvent } from '../../tabs/event';

const T = 1_700_000_000_000;
const event = (time: number, value: number | string): TabEvent => ({ tab: 'errors', type: 'buffer', value, time, client: 'c' });

describe('buffer', () => {
  it('keeps the latest N values by event time, newest first, numbers and strings alike', () => {
    const small = createBufferHandler({ type: 'buffer-3', size: 3 });
    const state = small.newState();
    for (const [t, v] of [[5, 'e'], [1, 'a'], [4, 4], [2, 'b'], [3, 'c']] as const) small.fold(state, event(T + t, v));
    expect(small.render(small.project(state, T + 10))).toEqual({
      values: [
        { value: 'e', time: T + 5 },
        { value: 4, time: T + 4 },
        { value: 'c', time: T + 3 },
      ],
      all: { count: 5 },
    });
  });

  it('keeps 10 by default and merges clients to the latest 10 of both', () => {
    const a = bufferHandler.newState();
    const b = bufferHandler.newState();
    for (let i = 0; i < 30; i++) bufferHandler.fold(i % 2 === 0 ? a : b, event(T + i, i));
    const merged = bufferHandler.merge(bufferHandler.project(a, T), bufferHandler.project(b, T));
    expect(merged.count).toBe(30);
    expect(merged.entries.map((e) => e.value)).toEqual([29, 28, 27, 26, 25, 24, 23, 22, 21, 20]);
  });

  it('drops expired values from the view and prunes a state of only expired values', () => {
    const expiring = createBufferHandler({ type: 'buffer-1h', expireAfterMs: 3_600_000 });
    const state = expiring.newState();
    expiring.fold(state, event(T, 'old'));
    expiring.fold(state, event(T + 1_800_000, 'newer'));
    expect(expiring.project(state, T + 3_600_000).entries.map((e) => e.value)).toEqual(['newer']);
    expect(expiring.shouldPrune(state, T + 3_600_000)).toBe(false);
    expect(expiring.shouldPrune(state, T + 5_400_000)).toBe(true);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => createBufferHandler({ size: 0 })).toThrow(RangeError);
    expect(() => createBufferHandler({ size: 2.5 })).toThrow(RangeError);
  });

  it('refuses a serialized state with more values than its size', () => {
    const big = createBufferHandler({ type: 'buffer-5', size: 5 });
    const state = big.newState();
    for (let i = 0; i < 5; i++) big.fold(state, event(T + i, i));
    const small = createBufferHandler({ type: 'buffer-5', size: 2 });
    expect(() => small.deserialize(big.serialize(state))).toThrow(/more than the size 2/);
  });
});
