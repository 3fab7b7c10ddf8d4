import type { TabEvent } from '../event';
import type { FoldRun } from './fold-run';

/**
 * A Tab type: how its per-(Tab, client) State is built from events, how it is
 * stored, and how it is read back as a Projection, merged into an Aggregate
 * and rendered. Handlers are pure: no I/O, no clock of their own (time comes
 * in as `now`), so the runtime can fold, checkpoint and replay them freely.
 */
export interface TabHandler<S = unknown, P = unknown> {
  /** The wire-format `type`, e.g. `counter`. */
  readonly type: string;
  /** The JSON type an event's `value` must have (`any`: a number or a string). */
  readonly valueKind: 'number' | 'string' | 'any';
  newState(): S;
  /** Folds one (already validated) event into the state, in place. */
  fold(state: S, event: TabEvent): void;
  /** Optional: a run, to fold consecutive events that fold alike at once (see FoldRun); it must fold as `fold` does (a handler that changes `fold` changes or drops it too). */
  newRun?(): FoldRun<S>;
  /** A plain, mergeable view of the state at `now` (epoch ms). */
  project(state: S, now: number): P;
  /** Merges two projections; associative and commutative. */
  merge(a: P, b: P): P;
  /** The Taba-style fields of a rendered aggregate (windows, percentiles, ...). */
  render(projection: P): Record<string, unknown>;
  /** True when the state holds nothing worth keeping at `now` (it may be deleted). */
  shouldPrune(state: S, now: number): boolean;
  /**
   * Taba's GC of stale Tabs: true when the state saw no event for longer
   * than `staleAfterMs` and every window it reports is empty at `now`.
   * Absent for types whose states expire by themselves (`shouldPrune`).
   */
  isStale?(state: S, now: number, staleAfterMs: number): boolean;
  /**
   * Folds state `from` into state `into` as if `into` had folded every event
   * `from` did (`from` left untouched): how a Tab's states across clients
   * become one, its record (every built-in type has it: windows add up, a
   * gauge's latest value and a buffer's latest values are the latest across
   * clients as across events). A type without it has no record: its
   * aggregates merge the client states' projections at read time.
   */
  mergeState?(into: S, from: S): void;
  /**
   * Optional: what `shouldPrune(state, now) || isStale(state, now, staleAfterMs)`
   * (staleAfterMs 0: nothing is stale) says of a stored state, read from its
   * bytes without building the state; undefined when the bytes alone do not
   * tell (the caller deserializes). How a task judges its frozen states, a
   * few thousand a second, without decoding a Tab record's sketches each time.
   */
  prunesStored?(bytes: Uint8Array, now: number, staleAfterMs: number): boolean | undefined;
  /** Bytes for Redis; the first byte is the format version. */
  serialize(state: S): Uint8Array;
  deserialize(bytes: Uint8Array): S;
  /**
   * render(project(deserialize(bytes), now)), computed from the stored bytes
   * without the state's objects: how a query renders a Tab record that
   * merges with nothing else. Optional: without it the caller goes the long way.
   */
  renderStored?(bytes: Uint8Array, now: number): Record<string, unknown>;
}
