// The counter's flat windows (CountTotalWindows) against the generic windows
// of count/total cells (WindowedCells with countTotalCell) they replace: the
// same bytes stored, the same projections, the same merges, whatever the events.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../tabs/codec/byte-reader';
import { ByteWriter } from '../../tabs/codec/byte-writer';
import { countTotalCell } from '../../tabs/windows/count-total-cell';
import { CountTotalWindows } from '../../tabs/windows/count-total-windows';
import { FINE_WINDOWS } from '../../tabs/windows/window-spec';
import { WindowedCells } from '../../tabs/windows/windowed-cells';

const NOW = 1_700_000_000_000;
const HOUR = 60 * 60 * 1000;
const flat = new CountTotalWindows(FINE_WINDOWS);
const cells = new WindowedCells(FINE_WINDOWS, countTotalCell);

const events = fc.array(
  fc.record({
    ago: fc.oneof(fc.integer({ min: -5_000, max: 60_000 }), fc.integer({ min: 0, max: 2 * HOUR }), fc.integer({ min: 0, max: 48 * HOUR })),
    value: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(1)),
  }),
  { maxLength: 60 },
);

function bytesOf(write: (w: ByteWriter) => void): Uint8Array {
  const w = new ByteWriter();
  write(w);
  return w.finish();
}

describe('CountTotalWindows = WindowedCells of count/total cells', () => {
  it('folds, stores, reads back, projects and merges the same', () => {
    fc.assert(
      fc.property(events, events, fc.integer({ min: 0, max: 3 * HOUR }), (a, b, later) => {
        const f = flat.create();
        const c = cells.create();
        for (const { ago, value } of a) {
          flat.add(f, NOW - ago, value);
          cells.add(c, NOW - ago, value);
        }
        const stored = bytesOf((w) => cells.write(w, c));
        expect(bytesOf((w) => flat.write(w, f))).toEqual(stored);
        const back = flat.read(new ByteReader(stored, 'test'));
        expect(bytesOf((w) => flat.write(w, back))).toEqual(stored);
        expect(flat.maxTime(back)).toBe(c.maxTime);
        expect(flat.isEmpty(back)).toBe(cells.isEmpty(c));
        for (const now of [NOW, NOW + later]) expect(flat.project(back, now)).toEqual(cells.project(c, now));
        // Merging another state in: the same as the generic windows' merge.
        const fb = flat.create();
        const cb = cells.create();
        for (const { ago, value } of b) {
          flat.add(fb, NOW - ago - later, value);
          cells.add(cb, NOW - ago - later, value);
        }
        flat.mergeState(f, fb);
        cells.mergeState(c, cb);
        expect(bytesOf((w) => flat.write(w, f))).toEqual(bytesOf((w) => cells.write(w, c)));
        // A run's cell (as the fold bolt adds one): the same as the generic windows' addCell.
        const run = { count: a.length + 2, total: later };
        flat.addCell(f, NOW + later, run);
        cells.addCell(c, NOW + later, run);
        expect(bytesOf((w) => flat.write(w, f))).toEqual(bytesOf((w) => cells.write(w, c)));
      }),
      { numRuns: 300 },
    );
  });
});
