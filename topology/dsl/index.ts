export { topology, Topology, TopologyBuilder, BoltInputs } from './topology';
export type { DeclaredComponent } from './topology';
export type { BoltDefinition, SpoutDefinition, ComponentDefinition, ComponentOptions } from './component';
export type { Grouping, InputDeclaration } from './grouping';
export { placeEdge } from './placement';
export type { EdgePlacement } from './placement';
export { TopologyError } from './topology-error';
export type { TabTypeDefinition } from './tab-type';
