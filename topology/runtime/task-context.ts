import type { HandlerRegistry } from '../../bolts/handlers/registry';
import type { Tuple } from './bolt';

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
}
