import type { TabEvent } from '../event';

/**
 * Consecutive events for one state that fold alike, collected and then
 * folded at once: a windowed type's run is the events whose times share a
 * bucket in every window, summed into one cell, so a client's batch of 50
 * events costs one cell update per event and one windowed merge into the
 * client's state and one into its Tab record, instead of two windowed folds
 * per event. Folding a run gives the state that folding its events one by one
 * gives, but for the order of floating-point additions (integer values are
 * exact either way). A run is reused: `clear` makes it empty again.
 */
export interface FoldRun<S = unknown> {
  /** Events in the run. */
  readonly size: number;
  /** Takes an (already validated) event in; false, taking nothing, when it does not fold alike the run's events. */
  add(event: TabEvent): boolean;
  /** Folds the run's events into a state, in place; the run is left as it was. */
  foldInto(state: S): void;
  clear(): void;
}
