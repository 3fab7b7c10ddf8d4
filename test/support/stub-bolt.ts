import type { BoltDefinition } from '../../topology/dsl';

/** A bolt that only declares what it emits, for tests of the DSL: its `Fields` type is the names given. */
export function stubBolt<Fields extends string>(type: string, outputFields: readonly Fields[]): BoltDefinition<unknown, Fields> {
  return { kind: 'bolt', type, outputFields, create: () => ({ execute: () => {} }) };
}
