import { windowedHandler } from './windowed-handler';
import { countTotalCell, type CountTotal } from '../windows/count-total-cell';
import { FINE_WINDOWS } from '../windows/window-spec';
import { CountTotalWindows } from '../windows/count-total-windows';
import type { WindowCells } from '../windows/windows';

/** Per window (`1m`, `10m`, `1h`, `1d`, `all`): how many events and the sum of their values. */
export type CounterProjection = WindowCells<CountTotal>;

export interface RenderedCountTotal {
  count: number;
  total: number;
  /** null when the window is empty. */
  average: number | null;
}

/**
 * Floating-point sums of decimals carry noise in their last digits
 * (0.1 + 0.2 = 0.30000000000000004); 15 significant digits is what a double
 * holds reliably, so rendering there shows 0.3. Integers are left exact.
 */
export function tidy(value: number): number {
  return Number.isInteger(value) || !Number.isFinite(value) ? value : Number(value.toPrecision(15));
}

export function renderCountTotal(count: number, total: number): RenderedCountTotal {
  return { count, total: tidy(total), average: count === 0 ? null : tidy(total / count) };
}

const windows = new CountTotalWindows(FINE_WINDOWS);

/** Count, total and average per window, in 52 buckets of 10 s to 1 h (see tabs/windows/window-spec.ts). */
export const counterHandler = windowedHandler({
  type: 'counter',
  valueKind: 'number',
  windows,
  render(projection: CounterProjection) {
    const out: Record<string, RenderedCountTotal> = {};
    for (const name of windows.names()) {
      const cell = projection[name] ?? countTotalCell.create();
      out[name] = renderCountTotal(cell.count, cell.total);
    }
    return out;
  },
});
