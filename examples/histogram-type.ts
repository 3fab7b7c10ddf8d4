// An example of a pluggable Tab type: `histogram`, how many values fell at or
// below each of fixed bounds, with the smallest and largest, per window
// (1m 10m 1h 1d and all time). Built on the windows the built-in `counter`
// uses (tabs/windows): only the cell, what one bucket holds, is new here.
// A topology registers it next to its bolts (examples/histogram-topology.ts):
//   t.tabType(createHistogramType({ bounds: [10, 50, 100, 500, 1000] }))
import type { TabHandler } from '../tabs/handlers/handler';
import { windowedHandler } from '../tabs/handlers/windowed-handler';
import type { ByteReader } from '../tabs/codec/byte-reader';
import type { ByteWriter } from '../tabs/codec/byte-writer';
import type { CellKind } from '../tabs/windows/cell-kind';
import { FINE_WINDOWS } from '../tabs/windows/window-spec';
import { WindowedCells, type WindowCells, type WindowedState } from '../tabs/windows/windowed-cells';

/** One bucket of one window: per slot (each bound, then above the last) how many values, and their extremes. */
export interface HistogramCell {
  counts: number[];
  min: number;
  max: number;
}

/** A window as rendered: `buckets` in bound order, the last one `le: '+Inf'`; min and max null while empty. */
export interface RenderedHistogram {
  count: number;
  min: number | null;
  max: number | null;
  buckets: Array<{ le: number | '+Inf'; count: number }>;
}

export interface HistogramOptions {
  /** The wire-format type (default `histogram`). */
  type?: string;
  /** Upper bounds of the buckets, increasing; a value v falls in the first bucket with v <= bound, else in `+Inf`. */
  bounds: readonly number[];
}

/** The slot of `value`: the first bound it does not exceed, or the overflow slot after the last. */
export function slotOf(bounds: readonly number[], value: number): number {
  let slot = 0;
  while (slot < bounds.length && value > bounds[slot]!) slot++;
  return slot;
}

/**
 * The cell: stored as varuint(slots) (0 for an empty bucket), each slot's
 * count as a varuint, then min and max as float64. A stored cell with another
 * slot count than this type's bounds is refused: changing the bounds of a
 * deployed type needs a new type name (or a format version that converts).
 */
export function histogramCell(bounds: readonly number[]): CellKind<HistogramCell, number> {
  const slots = bounds.length + 1;
  const isEmpty = (cell: HistogramCell) => cell.counts.every((c) => c === 0);
  return {
    create: () => ({ counts: new Array<number>(slots).fill(0), min: Infinity, max: -Infinity }),
    add(cell, value) {
      cell.counts[slotOf(bounds, value)]!++;
      cell.min = Math.min(cell.min, value);
      cell.max = Math.max(cell.max, value);
      return cell;
    },
    mergeInto(target, source) {
      for (let i = 0; i < slots; i++) target.counts[i]! += source.counts[i]!;
      target.min = Math.min(target.min, source.min);
      target.max = Math.max(target.max, source.max);
      return target;
    },
    isEmpty,
    write(writer: ByteWriter, cell) {
      if (cell === undefined || isEmpty(cell)) {
        writer.varuint(0);
        return;
      }
      writer.varuint(slots);
      for (const c of cell.counts) writer.varuint(c);
      writer.f64(cell.min).f64(cell.max);
    },
    read(reader: ByteReader) {
      const stored = reader.varuint();
      if (stored === 0) return undefined;
      if (stored !== slots) return reader.fail(`histogram cell of ${stored} slots, this type has ${slots}`);
      const counts: number[] = [];
      for (let i = 0; i < slots; i++) counts.push(reader.varuint());
      return { counts, min: reader.f64(), max: reader.f64() };
    },
  };
}

/** A histogram Tab type with these bounds; its states carry format version 1 (windowedHandler). */
export function createHistogramType(options: HistogramOptions): TabHandler<WindowedState<HistogramCell>, WindowCells<HistogramCell>> {
  const { bounds } = options;
  if (bounds.length === 0 || bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= bounds[i - 1]!))) {
    throw new RangeError(`histogram bounds must be finite and increasing, got [${bounds.join(', ')}]`);
  }
  const cell = histogramCell(bounds);
  const windows = new WindowedCells(FINE_WINDOWS, cell);
  const render = (c: HistogramCell): RenderedHistogram => {
    const count = c.counts.reduce((a, b) => a + b, 0);
    return {
      count,
      min: count === 0 ? null : c.min,
      max: count === 0 ? null : c.max,
      buckets: c.counts.map((n, i) => ({ le: i < bounds.length ? bounds[i]! : '+Inf', count: n })),
    };
  };
  return windowedHandler({
    type: options.type ?? 'histogram',
    valueKind: 'number',
    windows,
    render(projection) {
      const out: Record<string, RenderedHistogram> = {};
      for (const name of windows.names()) out[name] = render(projection[name] ?? cell.create());
      return out;
    },
  });
}

/** The bounds of the example topology's `histogram` type: latencies in ms. */
export const LATENCY_BOUNDS_MS: readonly number[] = [10, 50, 100, 500, 1000];
