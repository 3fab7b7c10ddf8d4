import { windowedHandler } from './windowed-handler';
import { distinctCount, distinctEntry } from '../sketches/distinct-sketch';
import { distinctCell, type DistinctCell } from '../windows/distinct-cell';
import { DistinctStoredMerger } from '../windows/distinct-stored-merger';
import { SKETCH_WINDOWS } from '../windows/window-spec';
import { WindowedCells, type WindowCells } from '../windows/windowed-cells';

export type UniqueProjection = WindowCells<DistinctCell>;

const windows = new WindowedCells(SKETCH_WINDOWS, distinctCell);

/** Per window: events seen and the HyperLogLog estimate of their distinct string values. */
export const uniqueHandler = windowedHandler({
  type: 'unique',
  valueKind: 'string',
  windows,
  // v2: sparse sketches Rice-coded (distinct-sketch.ts); v3: those of 256 entries or more with their
  // length (a query steps over them); v1 (varuint gaps) and v2 states are still read.
  formatVersion: 3,
  readsVersions: [2, 1],
  cellValue: (value) => distinctEntry(value as string),
  // A record's windows estimated from its bytes: renders as `render` below does.
  storedMerger: new DistinctStoredMerger(),
  render(projection: UniqueProjection) {
    const out: Record<string, { count: number; distinct: number }> = {};
    for (const name of windows.names()) {
      const cell = projection[name] ?? distinctCell.create();
      out[name] = { count: cell.count, distinct: distinctCount(cell.distinct) };
    }
    return out;
  },
});
