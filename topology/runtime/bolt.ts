import type { CheckpointDraft } from './checkpoint-draft';
import type { LoadedPartition } from '../../state/redis-state-store';

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
  /** Loads this task's durable state when the worker takes the task up. */
  restore?(loaded: LoadedPartition): void;
  /** Adds what changed since the last call to the checkpoint being built. */
  checkpoint?(draft: CheckpointDraft, now: number): void;
}
