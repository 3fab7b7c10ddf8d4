import { afterEach, describe, expect, it, vi } from 'vitest';
import { uniqueHandler } from '../../tabs/handlers/unique';
import { CodedSparse } from '../../tabs/sketches/coded-sparse';
import { DENSE_HELD_CODED_AFTER_MS } from '../../tabs/sketches/distinct-sketch';
import type { DistinctCell } from '../../tabs/windows/distinct-cell';
import type { WindowedState } from '../../tabs/windows/windowed-cells';

describe('a unique Tab record: dense sketches held as their codes', () => {
  afterEach(() => vi.useRealTimers());

  it('holds a closed bucket long unraised as its codes after a write; newest buckets and the all-time one stay registers; the bytes never change', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const now = 1_800_000_000_000;
    vi.setSystemTime(now);
    const T = now - 6 * 3_600_000;
    const state = uniqueHandler.newState() as WindowedState<DistinctCell>;
    // 3,000 values in one moment: every window's bucket then, and the all-time one, dense.
    for (let i = 0; i < 3000; i++) uniqueHandler.fold(state as never, { tab: 't', client: 'c', type: 'unique', value: `user-${i}`, time: T });
    // Three hours later, in newer buckets of every window: those of T are closed (the 1d window keeps its 2-hour one).
    for (let i = 0; i < 3000; i++) uniqueHandler.fold(state as never, { tab: 't', client: 'c', type: 'unique', value: `late-${i}`, time: T + 3 * 3_600_000 });
    const denseCells = () => state.slots.filter((c) => c?.distinct instanceof Uint8Array).length;
    const codedPastLimit = () => state.slots.filter((c) => c?.distinct instanceof CodedSparse && c.distinct.count > 2048).length;
    expect(denseCells()).toBe(5);
    const bytes = uniqueHandler.serialize(state as never);
    const rendered = uniqueHandler.render(uniqueHandler.project(state as never, T + 3 * 3_600_000) as never);
    vi.setSystemTime(now + DENSE_HELD_CODED_AFTER_MS - 1);
    expect(uniqueHandler.serialize(state as never)).toEqual(bytes);
    expect(codedPastLimit()).toBe(0);
    vi.setSystemTime(now + DENSE_HELD_CODED_AFTER_MS);
    expect(uniqueHandler.serialize(state as never)).toEqual(bytes);
    // The closed 2-hour bucket of T is held coded; the newest of each window (the late values) and the all-time sketch stay registers.
    expect(codedPastLimit()).toBe(1);
    expect(denseCells()).toBe(4);
    expect(state.all.distinct).toBeInstanceOf(Uint8Array);
    expect(uniqueHandler.serialize(state as never)).toEqual(bytes);
    expect(uniqueHandler.render(uniqueHandler.project(state as never, T + 3 * 3_600_000) as never)).toEqual(rendered);
  });
});
