import { describeGrouping } from './grouping';
import { placeEdge } from './placement';
import type { Topology } from './topology';

/** Prints the declared DAG with each edge's placement, like Kafka Streams' Topology.describe(). */
export function describeTopology(topology: Topology, partitions?: number): string {
  const spout = topology.spout;
  const tasks = (name: string): string =>
    partitions === undefined
      ? topology.component(name)?.options.parallelism !== undefined
        ? ` x${topology.component(name)!.options.parallelism}`
        : ''
      : ` x${topology.parallelismOf(name, partitions)}`;
  const lines = [`Topology: ${topology.name}`];
  for (const c of topology.components) {
    const downstream = topology.consumersOf(c.name).map((d) => d.component.name);
    const def = c.definition;
    if (def.kind === 'spout') {
      const keyed = def.keyField ? `, keyed by ${def.keyField}` : '';
      lines.push(`  Spout: ${c.name} (${def.type}: topic ${def.topic}${keyed})${tasks(c.name)}`);
    } else {
      lines.push(`  Bolt: ${c.name} (${def.type})${tasks(c.name)}`);
      for (const input of c.inputs) {
        const placement = placeEdge(topology, input.grouping, c.name, partitions);
        const where =
          placement.kind === 'local'
            ? 'local'
            : placement.kind === 'keyed' && placement.fused
              ? `fused with the ${spout.definition.topic} partitions; stray keys via ${placement.topic}`
              : `via ${placement.topic}`;
        lines.push(`      <-- ${input.from} [${describeGrouping(input.grouping)}] (${where})`);
      }
    }
    lines.push(`      emits [${def.outputFields.join(', ')}]`);
    if (downstream.length > 0) lines.push(`      --> ${downstream.join(', ')}`);
  }
  if (topology.tabTypes.length > 0) lines.push(`  Tab types: ${topology.tabTypes.map((t) => t.type).join(', ')} (beside the built-in ones)`);
  return lines.join('\n');
}
