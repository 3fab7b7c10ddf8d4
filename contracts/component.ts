import type { Bolt } from './bolt';
import type { TaskContext } from './task-context';

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

/**
 * A processing step. `create` is called once per task, in the worker that
 * runs it, with the context of `Types` (the registry it reads: Taba's bolts
 * are `BoltDefinition<HandlerRegistry>`); a topology holds any.
 */
export interface BoltDefinition<Types = unknown> {
  kind: 'bolt';
  type: string;
  outputFields: readonly string[];
  create(ctx: TaskContext<Types>): Bolt;
}

export type ComponentDefinition = SpoutDefinition | BoltDefinition;

export interface ComponentOptions {
  /** Task count; defaults to the spout topic's partition count. */
  parallelism?: number;
}
