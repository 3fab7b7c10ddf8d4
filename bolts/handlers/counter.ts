import type { TabEvent } from '../event';
import type { TabHandler } from './handler';
import { versionedCodec } from '../../state/codec/state-version';
import { countTotalCell, type CountTotal } from '../../state/windows/count-total-cell';
import { FINE_WINDOWS } from '../../state/windows/window-spec';
import { WindowedCells, type WindowCells, type WindowedState } from '../../state/windows/windowed-cells';

/** Per window (`1m`, `10m`, `1h`, `1d`, `all`): how many events and the sum of their values. */
export type CounterProjection = WindowCells<CountTotal>;

const FORMAT_VERSION = 1;
const windows = new WindowedCells(FINE_WINDOWS, countTotalCell);
const codec = versionedCodec(
  'counter',
  FORMAT_VERSION,
  (writer, state: WindowedState<CountTotal>) => windows.write(writer, state),
  (reader) => windows.read(reader),
);

/** Renders count, total and average (null when the window is empty). */
export function renderCountTotal(cell: CountTotal): { count: number; total: number; average: number | null } {
  return { count: cell.count, total: cell.total, average: cell.count === 0 ? null : cell.total / cell.count };
}

export const counterHandler: TabHandler<WindowedState<CountTotal>, CounterProjection> = {
  type: 'counter',
  valueKind: 'number',
  newState: () => windows.create(),
  fold(state, event: TabEvent) {
    windows.add(state, event.time, event.value as number);
  },
  project: (state, now) => windows.project(state, now),
  merge: (a, b) => windows.merge(a, b),
  render(projection) {
    const out: Record<string, unknown> = {};
    for (const name of windows.names()) out[name] = renderCountTotal(projection[name] ?? countTotalCell.create());
    return out;
  },
  // The all-time count is worth keeping for ever; only a state that never saw an event is nothing.
  shouldPrune: (state) => windows.isEmpty(state),
  ...codec,
};
