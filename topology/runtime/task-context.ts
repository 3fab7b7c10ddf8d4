import type { HandlerRegistry } from '../../bolts/handlers/registry';
import type { Tuple } from './bolt';
import type { StateSource } from './state-source';
import type { WorkingSet } from './working-set';

/** What a bolt task may know of and call on the runtime. */
export interface TaskContext {
  topology: string;
  component: string;
  /** This task's index, which is also its input partition. */
  taskIndex: number;
  registry: HandlerRegistry;
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
