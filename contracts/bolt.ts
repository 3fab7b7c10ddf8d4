import type { CheckpointDraft } from './checkpoint-draft';
import type { LoadedPartition } from './partition-checkpoint';

/** A tuple: named values. Bolts agree on names through their declared output fields. */
export type Tuple = Record<string, unknown>;
export type Emit = (tuple: Tuple) => void;

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
  prefetch?(tuples: readonly Tuple[]): Promise<void> | undefined;
  /** Loads this task's durable state when the worker takes the task up (a promise when it must read more first). */
  restore?(loaded: LoadedPartition): void | Promise<void>;
  /** Adds what changed since the last call to the checkpoint being built. */
  checkpoint?(draft: CheckpointDraft, now: number): void;
  /** The last checkpoint this bolt contributed to is durable: what it covered may leave memory. */
  checkpointed?(): void;
  /** The task is dropped (handed over, released, stopped): give back what it holds in shared budgets. */
  close?(): void;
}
