import type { ComponentDescription, EdgeDescription, TopologyDescription } from './description';
import { describeGrouping } from './grouping';

/** A description as text, as `topology deploy` prints it (Kafka Streams' TopologyDescription.toString()). */
export function renderDescription(d: TopologyDescription): string {
  const spout = d.components.find((c) => c.kind === 'spout');
  const lines = [`Topology: ${d.name}`];
  for (const c of d.components) {
    const tasks = c.tasks ?? c.parallelism;
    const times = tasks !== undefined ? ` x${tasks}` : '';
    if (c.kind === 'spout') {
      const keyed = c.keyField !== undefined ? `, keyed by ${c.keyField}` : '';
      lines.push(`  Spout: ${c.name} (${c.type}: topic ${c.topic}${keyed})${times}`);
    } else {
      lines.push(`  Bolt: ${c.name} (${c.type})${times}`);
      for (const e of d.edges.filter((e) => e.to === c.name)) {
        lines.push(`      <-- ${e.from} [${describeGrouping(e.grouping)}] (${where(e, spout)})`);
      }
    }
    lines.push(`      emits [${c.outputFields.join(', ')}]`);
    const downstream = d.edges.filter((e) => e.from === c.name).map((e) => e.to);
    if (downstream.length > 0) lines.push(`      --> ${downstream.join(', ')}`);
  }
  if (d.tabTypes.length > 0) lines.push(`  Tab types: ${d.tabTypes.join(', ')} (beside the built-in ones)`);
  return lines.join('\n');
}

function where({ placement }: EdgeDescription, spout: ComponentDescription | undefined): string {
  if (placement.kind === 'local') return 'local';
  if (placement.kind === 'keyed' && placement.fused) {
    const topic = spout?.kind === 'spout' ? spout.topic : '?';
    return `fused with the ${topic} partitions; stray keys via ${placement.topic}`;
  }
  return `via ${placement.topic}`;
}
