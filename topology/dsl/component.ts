import type { Bolt } from '../runtime/bolt';
import type { TaskContext } from '../runtime/task-context';

/** A Kafka topic as a topology's source: every task's input is one of its partitions. */
export interface SpoutDefinition {
  kind: 'spout';
  /** A short name of what it is, shown by describe(), e.g. `kafka`. */
  type: string;
  topic: string;
  /** The tuple field the topic's messages are keyed by, if any (`tab` for Tabstream producers). */
  keyField?: string;
  outputFields: readonly string[];
}

/** A processing step. `create` is called once per task, in the worker that runs it. */
export interface BoltDefinition {
  kind: 'bolt';
  type: string;
  outputFields: readonly string[];
  create(ctx: TaskContext): Bolt;
}

export type ComponentDefinition = SpoutDefinition | BoltDefinition;

export interface ComponentOptions {
  /** Task count; defaults to the spout topic's partition count. */
  parallelism?: number;
}
