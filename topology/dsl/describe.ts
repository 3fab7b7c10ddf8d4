import type { ComponentDescription, EdgeDescription, TopicDescription, TopologyDescription } from './description';
import type { Grouping } from './grouping';
import { needsRepartitionTopic, placeEdge, type EdgePlacement } from './placement';
import type { Topology } from './topology';

/**
 * The declared DAG as data, with each edge's placement, like Kafka Streams'
 * Topology.describe(). With `partitions` (the spout topic's), every
 * component's task count and the topics' partition counts are worked out.
 */
export function describeTopology(topology: Topology, partitions?: number): TopologyDescription {
  return {
    name: topology.name,
    ...(partitions !== undefined && { partitions }),
    components: topology.components.map((c): ComponentDescription => {
      const def = c.definition;
      const common = {
        name: c.name,
        type: def.type,
        outputFields: [...def.outputFields],
        ...(c.options.parallelism !== undefined && { parallelism: c.options.parallelism }),
        ...(partitions !== undefined && { tasks: topology.parallelismOf(c.name, partitions) }),
      };
      if (def.kind === 'bolt') return { kind: 'bolt', ...common };
      return { kind: 'spout', ...common, topic: def.topic, ...(def.keyField !== undefined && { keyField: def.keyField }) };
    }),
    edges: topology.components.flatMap((c) =>
      c.inputs.map((input): EdgeDescription => ({
        from: input.from,
        to: c.name,
        grouping: copyGrouping(input.grouping),
        placement: copyPlacement(placeEdge(topology, input.grouping, c.name, partitions)),
      })),
    ),
    topics: topicsOf(topology, partitions),
    tabTypes: topology.tabTypes.map((t) => t.type),
  };
}

/**
 * The spout topic, its dead-letter topic, and a repartition topic per bolt
 * that needs one: as `ensureTopics` creates them when `partitions` is known,
 * else those an edge's placement names.
 */
function topicsOf(topology: Topology, partitions?: number): TopicDescription[] {
  const source = topology.spout.definition.topic;
  const topics: TopicDescription[] = [
    { topic: source, role: 'source', ...(partitions !== undefined && { partitions }) },
    { topic: topology.deadLetterTopic(), role: 'dead-letter', partitions: 1 },
  ];
  for (const bolt of topology.bolts) {
    const needed =
      partitions !== undefined
        ? needsRepartitionTopic(topology, bolt.name, partitions)
        : bolt.inputs.some((i) => placeEdge(topology, i.grouping, bolt.name).kind !== 'local');
    if (!needed) continue;
    const count = partitions !== undefined ? { partitions: topology.parallelismOf(bolt.name, partitions) } : {};
    topics.push({ topic: topology.repartitionTopic(bolt.name), role: 'repartition', bolt: bolt.name, ...count });
  }
  return topics;
}

// Copies, so a description handed out shares no array with the topology it describes.
function copyGrouping(g: Grouping): Grouping {
  return g.kind === 'fields' ? { kind: 'fields', fields: [...g.fields] } : { kind: g.kind };
}

function copyPlacement(p: EdgePlacement): EdgePlacement {
  return p.kind === 'keyed' ? { ...p, fields: [...p.fields] } : { ...p };
}
