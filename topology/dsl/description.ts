// The DAG of a topology as plain data (Kafka Streams' TopologyDescription):
// what `Topology.describe()` returns, `topology deploy` stores in ZooKeeper,
// `/api/topology` serves and `renderDescription` prints. Only JSON values:
// it round-trips through JSON.stringify unchanged.
import type { Grouping } from './grouping';
import type { EdgePlacement } from './placement';

export interface TopologyDescription {
  name: string;
  /** The spout topic's partition count the tasks and placements were worked out for; absent when described without one. */
  partitions?: number;
  /** In declaration order, which is a topological order: every component after those it reads from. */
  components: ComponentDescription[];
  /** One per declared input, in the order of `components` and, within one, of its inputs. */
  edges: EdgeDescription[];
  /** The Kafka topics the topology reads and writes. */
  topics: TopicDescription[];
  /** The Tab types the topology registers beside the built-in ones. */
  tabTypes: string[];
}

interface ComponentCommon {
  name: string;
  /** A short name of what it is, e.g. `kafka`, `parse`, `fold`. */
  type: string;
  outputFields: string[];
  /** The parallelism declared; absent when it follows the spout topic's partitions. */
  parallelism?: number;
  /** Its task count once `partitions` is known (absent without it). */
  tasks?: number;
}

export type ComponentDescription =
  | (ComponentCommon & { kind: 'spout'; topic: string; keyField?: string })
  | (ComponentCommon & { kind: 'bolt' });

export interface EdgeDescription {
  /** The upstream component. */
  from: string;
  /** The bolt that reads it. */
  to: string;
  grouping: Grouping;
  /** Where its tuples are processed: in the producing task, or across the bolt's repartition topic. */
  placement: EdgePlacement;
}

export interface TopicDescription {
  topic: string;
  /** `source`: the spout's; `dead-letter`: where rejected records go; `repartition`: carries tuples to `bolt` across tasks. */
  role: 'source' | 'dead-letter' | 'repartition';
  /** The bolt a repartition topic feeds. */
  bolt?: string;
  /** Its partition count, when `partitions` is known. */
  partitions?: number;
}
