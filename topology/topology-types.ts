import { defaultRegistry, HandlerRegistry } from '../tabs/handlers/registry';
import type { TabHandler } from '../tabs/handlers/handler';
import { type Topology, TopologyError } from './dsl';

/**
 * The Tab types a topology's workers fold and its readers render: `base`
 * (the built-in types) and the types the topology registers
 * (`t.tabType(handler)`). A topology type named as a base type, or that is no
 * TabHandler, is a TopologyError of one line naming the topology and the type.
 */
export function tabTypesOf(topology: Topology, base: HandlerRegistry = defaultRegistry()): HandlerRegistry {
  const registry = base.copy();
  for (const definition of topology.tabTypes) {
    if (base.has(definition.type)) {
      throw new TopologyError(`topology '${topology.name}' registers Tab type '${definition.type}', which is built in: give the type another name`);
    }
    try {
      registry.register(definition as TabHandler);
    } catch (err) {
      throw new TopologyError(`topology '${topology.name}', Tab type '${definition.type}': ${(err as Error).message}`);
    }
  }
  return registry;
}
