import type { CheckpointDraft } from './checkpoint-draft';
import type { LoadedPartition } from './partition-checkpoint';

/** A tuple: named values. Bolts agree on names through their declared output fields. */
export type Tuple = Record<string, unknown>;
export type Emit = (tuple: Tuple) => void;

/**
 * The tuples a slice of records held back for a bolt that prefetches, in
 * order. `get` may hand one reused object, refilled for each index: read
 * what you need of it before the next call, and keep none of it.
 */
export interface HeldTuples {
  readonly length: number;
  get(index: number): Tuple;
  /**
   * Optional: one field of every held tuple, by index (read the first
   * `length`; it may hold more, and is valid until the tuples are executed);
   * undefined when the tuples are not held so. For a prefetch that reads a
   * few fields of tens of thousands of tuples: `get` refills every field.
   */
  column?(field: string): ArrayLike<unknown> | undefined;
}

/**
 * One task of a bolt. `execute` is synchronous on purpose: a record's whole
 * fused chain runs to completion before the next one, so a checkpoint taken
 * between records is always consistent with the input offset it covers.
 */
export interface Bolt {
  execute(tuple: Tuple, emit: Emit): void;
  /**
   * Gets ready to execute `tuples` (the ones a slice of records brings it):
   * fetches the states they need that are not in memory, so that `execute`
   * stays synchronous. A promise when it must wait for I/O, undefined when
   * everything is at hand. The runtime executes no tuple of the slice on
   * this bolt before it settles, and takes no checkpoint meanwhile.
   */
  prefetch?(tuples: HeldTuples): Promise<void> | undefined;
  /**
   * Optional, for a bolt that prefetches: the fields of its tuples. Given,
   * the runtime holds a slice's tuples for it as one column per field
   * (numbers unboxed), not as objects: a slice holds tens of thousands, and
   * held objects outlive the young generation's collections, which then
   * copy them all. `prefetch` and `execute` then get one reused object,
   * refilled for each held tuple (other fields dropped), so `execute` must
   * keep nothing of a tuple after it returns.
   */
  readonly heldFields?: readonly string[];
  /** Loads this task's durable state when the worker takes the task up (a promise when it must read more first). */
  restore?(loaded: LoadedPartition): void | Promise<void>;
  /** Adds what changed since the last call to the checkpoint being built. */
  checkpoint?(draft: CheckpointDraft, now: number): void;
  /** The last checkpoint this bolt contributed to is durable: what it covered may leave memory. */
  checkpointed?(): void;
  /** The task is dropped (handed over, released, stopped): give back what it holds in shared budgets. */
  close?(): void;
}
