import type { Tuple } from './bolt';
import type { StateSource } from './state-source';
import type { WorkingSet } from './working-set';

/**
 * What a bolt task may know of and call on the runtime. `Types` is the
 * registry of the types the topology folds, which the runtime hands through
 * without reading it: Taba's is its Tab types (`TabTaskContext`,
 * bolts/tab-task-context.ts).
 */
export interface TaskContext<Types = unknown> {
  topology: string;
  component: string;
  /** This task's index, which is also its input partition. */
  taskIndex: number;
  /** The topology's types, as the worker loaded them for it. */
  registry: Types;
  /** Sends bad input to the dead-letter topic with a machine-readable reason; never throws. */
  deadLetter(reason: string, message: string, payload: Tuple | Buffer | null): void;
  /** Increments a named counter of this task (shown by status and /metrics). */
  count(metric: string, by?: number): void;
  /** Sets a named gauge of this task (shown by /metrics). */
  gauge(metric: string, value: number): void;
  /**
   * Where states not in memory are read (a worker's tasks); absent where a
   * task holds every state it ever sees (unit tests, the fold bench).
   */
  states?: StateSource;
  /** The process's budget for states in memory; absent: unbounded. */
  workingSet?: WorkingSet;
}
