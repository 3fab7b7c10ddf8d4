import type { TabEvent } from '../event';
import type { TabHandler } from './handler';
import { openVersioned, versionedCodec } from '../codec/state-version';
import type { StoredCellMerger } from '../windows/stored-cell-merger';
import { varuintAt } from '../codec/byte-reader';
import { WindowedRun } from './windowed-run';
import type { WindowCells, Windows } from '../windows/windows';

export interface WindowedHandlerOptions<S, C, V> {
  type: string;
  valueKind: 'number' | 'string';
  windows: Windows<S, C, V>;
  /** Turns an event's value into what the cells take, once per event (default: the value as is). */
  cellValue?: (value: TabEvent['value']) => V;
  /** Renders a merged projection, one entry per window name and `all`. */
  render(projection: WindowCells<C>): Record<string, unknown>;
  /**
   * Merges stored cells into what `render` gives for a window, so a stored
   * state renders straight from its bytes (renderStored); the windows must
   * read their bytes so (Windows.projectStored).
   */
  storedMerger?: StoredCellMerger<unknown>;
  /** The stored format written (default 1), and the older ones still read (default none): a cell kind's format changed. */
  formatVersion?: number;
  readsVersions?: readonly number[];
}

/**
 * A handler whose state is a set of rolling windows of cells (see
 * tabs/windows): folding adds the value at its event time, projecting merges
 * the buckets of each window at `now`, merging adds cells window by window.
 */
export function windowedHandler<S, C, V>(options: WindowedHandlerOptions<S, C, V>): TabHandler<S, WindowCells<C>> {
  const { type, valueKind, windows, render } = options;
  const cellValue = options.cellValue ?? ((value: TabEvent['value']) => value as V);
  const version = options.formatVersion ?? 1;
  const readable = [version, ...(options.readsVersions ?? [])];
  const merger = options.storedMerger;
  const projectStored = windows.projectStored?.bind(windows);
  const codec = versionedCodec(
    type,
    version,
    (writer, state: S) => windows.write(writer, state),
    (reader) => windows.read(reader),
    readable,
  );
  return {
    type,
    valueKind,
    newState: () => windows.create(),
    fold(state, event: TabEvent) {
      windows.add(state, event.time, cellValue(event.value));
    },
    newRun: () => new WindowedRun(windows, cellValue),
    project: (state, now) => windows.project(state, now),
    merge: (a, b) => windows.merge(a, b),
    render,
    // The all-time cell is worth keeping for ever; only a state that never saw an event is nothing.
    shouldPrune: (state) => windows.isEmpty(state),
    mergeState: (into, from) => windows.mergeState(into, from),
    // No event for the stale time, and never less than the time every window takes to empty.
    isStale: (state, now, staleAfterMs) => windows.maxTime(state) >= 0 && now - windows.maxTime(state) > Math.max(staleAfterMs, windows.emptyAfterMs),
    // The stored state starts with its latest event time (Windows.write): a state that saw an event is not empty,
    // and stale by that time alone. One that never did is left to shouldPrune (its all-time cell decides).
    prunesStored(bytes, now, staleAfterMs) {
      // Every version starts the same way.
      if (!readable.includes(bytes[0]!)) return undefined;
      // Read without a ByteReader: workers judge thousands of frozen states a second by this.
      const maxTime = varuintAt(bytes, 1) - 1;
      if (!(maxTime >= 0)) return undefined;
      return staleAfterMs > 0 && now - maxTime > Math.max(staleAfterMs, windows.emptyAfterMs);
    },
    serialize: codec.serialize,
    deserialize: codec.deserialize,
    ...(merger !== undefined && projectStored !== undefined && {
      renderStored(bytes: Uint8Array, now: number) {
        const { reader } = openVersioned(type, bytes, readable);
        const rendered = projectStored(reader, now, merger);
        reader.end();
        return rendered;
      },
    }),
  };
}
