import type { Grouping } from './grouping';
import type { Topology } from './topology';

/**
 * Where the tuples of one edge are processed. Every task's input is a Kafka
 * partition, so an edge either stays in the task that produced the tuple
 * (local), or crosses to another task through the bolt's repartition topic.
 * A keyed edge routes each tuple to task hash(key) % parallelism with Kafka's
 * own partitioner, so where the key is the topic's message key the target is
 * the producing task itself and nothing crosses: the edge is fused.
 */
export type EdgePlacement =
  | { kind: 'local' }
  | { kind: 'keyed'; fields: string[]; topic: string; fused: boolean }
  | { kind: 'all'; topic: string }
  | { kind: 'global'; topic: string };

export function placeEdge(topology: Topology, grouping: Grouping, to: string, partitions?: number): EdgePlacement {
  const topic = topology.repartitionTopic(to);
  switch (grouping.kind) {
    case 'shuffle':
    case 'localOrShuffle':
      // Every task already holds a share of the input (a partition): the local task is as good as any.
      return { kind: 'local' };
    case 'fields': {
      const key = topology.spout.definition.keyField;
      const sameTasks =
        partitions === undefined || topology.parallelismOf(to, partitions) === partitions;
      const fused = key !== undefined && grouping.fields.length === 1 && grouping.fields[0] === key && sameTasks;
      return { kind: 'keyed', fields: grouping.fields, topic, fused };
    }
    case 'all':
      return { kind: 'all', topic };
    case 'global':
      return { kind: 'global', topic };
  }
}

/** A bolt needs a repartition topic when any input may send it tuples from another task. */
export function needsRepartitionTopic(topology: Topology, bolt: string, partitions: number): boolean {
  const declared = topology.component(bolt);
  if (declared === undefined) return false;
  if (topology.parallelismOf(bolt, partitions) < partitions) return true;
  return declared.inputs.some((i) => placeEdge(topology, i.grouping, bolt, partitions).kind !== 'local');
}
