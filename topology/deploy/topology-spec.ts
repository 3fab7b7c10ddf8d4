import type { Topology, TopologyDescription } from '../dsl';
import type { TopologyOptions } from '../loader';

/** The settings stored with a deployed topology, which every worker running it uses. */
export interface TopologyConfig {
  flushIntervalMs: number;
  maxEventFutureMs?: number;
  /** Absent from specs deployed before it existed: workers then use the default (2 days). */
  staleTabAfterMs?: number;
  /** Absent from specs deployed before it existed: nothing is blocked. */
  blockedTabs?: string[];
}

/** What a worker's topology module is built with, from the settings deployed with it. */
export function topologySettings(spec: Pick<TopologySpec, 'name' | 'options' | 'config'>): TopologyOptions {
  const { maxEventFutureMs, staleTabAfterMs, blockedTabs } = spec.config;
  return { name: spec.name, topic: spec.options.topic, maxEventFutureMs, staleTabAfterMs, blockedTabs };
}

/** What `topology deploy` stores at `topologies/<name>` in ZooKeeper. */
export interface TopologySpec {
  name: string;
  /** A built-in name (`taba`) or an absolute module path the workers import. */
  module: string;
  options: { topic: string };
  partitions: number;
  status: 'active' | 'inactive' | 'killed';
  /** Bumped when a redeploy changes the spec. */
  version: number;
  deployedAt: number;
  /** maxEventFutureMs is absent from specs deployed before it existed (workers then use the default). */
  config: TopologyConfig;
  /**
   * The DAG as `describe(partitions)` gave it at deploy time (data). A spec
   * deployed before descriptions were data holds the text it printed instead:
   * read it through `specDescription` / `specDescriptionText`.
   */
  description: TopologyDescription | string;
  /**
   * The lowest assignment generation the leader may write: above every
   * generation that ever claimed a partition of this name in Redis, so a
   * topology killed and deployed again fences its old claims instead of
   * being fenced by them (generations keep increasing across deployments).
   */
  firstGeneration?: number;
}

export function specFor(
  topology: Topology,
  module: string,
  partitions: number,
  config: TopologyConfig,
): Omit<TopologySpec, 'version' | 'deployedAt' | 'status'> {
  return {
    name: topology.name,
    module,
    options: { topic: topology.spout.definition.topic },
    partitions,
    config,
    description: topology.describe(partitions),
  };
}
