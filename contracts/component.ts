import type { Bolt } from './bolt';
import type { TaskContext } from './task-context';

/**
 * A Kafka topic as a topology's source: every task's input is one of its
 * partitions. `Fields` are the names of the fields it emits, as a type: a
 * bolt's fields grouping on the spout may name only those.
 */
export interface SpoutDefinition<Fields extends string = string> {
  kind: 'spout';
  /** A short name of what it is, shown by describe(), e.g. `kafka`. */
  type: string;
  topic: string;
  /** The tuple field the topic's messages are keyed by, if any (`tab` for Tabstream producers). */
  keyField?: string;
  outputFields: readonly Fields[];
}

/**
 * A processing step. `create` is called once per task, in the worker that
 * runs it, with the context of `Types` (the registry it reads: Taba's bolts
 * are `BoltDefinition<HandlerRegistry, …>`); a topology holds any.
 * `Fields` are the names of the fields it emits, as for a spout.
 */
export interface BoltDefinition<Types = unknown, Fields extends string = string> {
  kind: 'bolt';
  type: string;
  outputFields: readonly Fields[];
  create(ctx: TaskContext<Types>): Bolt;
}

export type ComponentDefinition = SpoutDefinition | BoltDefinition;

export interface ComponentOptions {
  /** Task count; defaults to the spout topic's partition count. */
  parallelism?: number;
}
