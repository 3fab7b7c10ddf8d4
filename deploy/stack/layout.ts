// Where a stack keeps its state: everything lives under one directory, so two
// stacks (the dev one in .stack/, the test one in .stack-test/) never meet.
import { join, resolve } from 'node:path';
import { StackError } from './errors';

export const SERVICE_NAMES = ['zookeeper', 'kafka', 'redis'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface StackPorts {
  zkPort: number;
  kafkaPort: number;
  redisPort: number;
  /**
   * The broker's `group.initial.rebalance.delay.ms`: 0 by default (test helpers
   * and benchmarks read with consumer groups), Kafka's own 3000 where a stack
   * must behave as a production broker does (the fault suite's).
   */
  groupInitialRebalanceDelayMs?: number;
  /** Kafka brokers (default 1), on kafkaPort, kafkaPort + 1, ... */
  brokers?: number;
  /** ZooKeeper servers (default 1: standalone), clients on zkPort, zkPort + 1, ... */
  zkNodes?: number;
}

/**
 * One process of a stack: node 1 of each service is the single-node stack's
 * process (same paths, ports and names as ever); nodes 2, 3, ... of a
 * multi-node stack are named `kafka-2`, `zookeeper-3`, ...
 */
export interface ServiceNode {
  service: ServiceName;
  node: number;
}

/** Quorum and leader-election ports of ZooKeeper server `node` sit this far above its client port (2181 -> 2888, 3888). */
const ZK_PEER_OFFSET = 707;
const ZK_ELECTION_OFFSET = 1707;

export const DEFAULT_STACK_DIR = '.stack';
export const DEFAULT_PORTS: StackPorts = { zkPort: 2181, kafkaPort: 9092, redisPort: 6379 };

export interface StackLayout {
  dir: string;
  stackFile: string;
  lockFile: string;
  configDir: string;
  leasesDir: string;
  dataDir(service: ServiceName, node?: number): string;
  logFile(service: ServiceName, node?: number): string;
  pidFile(service: ServiceName, node?: number): string;
  /** The rendered config file; its absolute path is on the service's command line, which marks the process as ours. */
  configFile(service: ServiceName, node?: number): string;
}

const CONFIG_FILE_NAMES: Record<ServiceName, string> = {
  zookeeper: 'zookeeper.properties',
  kafka: 'server.properties',
  redis: 'redis.conf',
};

export function stackLayout(dir: string = DEFAULT_STACK_DIR): StackLayout {
  const root = resolve(dir);
  const configDir = join(root, 'config');
  return {
    dir: root,
    stackFile: join(root, 'stack.json'),
    lockFile: join(root, 'stack.lock'),
    configDir,
    leasesDir: join(root, 'leases'),
    dataDir: (service, node = 1) => join(root, 'data', nodeName(service, node)),
    logFile: (service, node = 1) => join(root, 'logs', `${nodeName(service, node)}.log`),
    pidFile: (service, node = 1) => join(root, 'pids', `${nodeName(service, node)}.pid`),
    configFile: (service, node = 1) => join(configDir, node === 1 ? CONFIG_FILE_NAMES[service] : CONFIG_FILE_NAMES[service].replace('.', `-${node}.`)),
  };
}

/** `kafka` for node 1, `kafka-2` for node 2, ... */
export function nodeName(service: ServiceName, node = 1): string {
  return node === 1 ? service : `${service}-${node}`;
}

/** How many processes of `service` the stack runs. */
export function nodeCount(ports: StackPorts, service: ServiceName): number {
  if (service === 'kafka') return ports.brokers ?? 1;
  if (service === 'zookeeper') return ports.zkNodes ?? 1;
  return 1;
}

/** Every process of the stack, ZooKeeper's first, then Kafka's, then Redis. */
export function stackNodes(ports: StackPorts): ServiceNode[] {
  return SERVICE_NAMES.flatMap((service) => Array.from({ length: nodeCount(ports, service) }, (_, i) => ({ service, node: i + 1 })));
}

/** The client port of a service's node: the base port for node 1, the next ports for the others. */
export function portOf(ports: StackPorts, service: ServiceName, node = 1): number {
  switch (service) {
    case 'zookeeper':
      return ports.zkPort + node - 1;
    case 'kafka':
      return ports.kafkaPort + node - 1;
    case 'redis':
      return ports.redisPort;
  }
}

/** ZooKeeper server `node`'s quorum (follower-to-leader) and leader-election ports. */
export function zkQuorumPorts(ports: StackPorts, node: number): { peer: number; election: number } {
  return { peer: ports.zkPort + ZK_PEER_OFFSET + node - 1, election: ports.zkPort + ZK_ELECTION_OFFSET + node - 1 };
}

/** Every port a node listens on (ZooKeeper's quorum ports too, in an ensemble). */
export function portsOfNode(ports: StackPorts, { service, node }: ServiceNode): number[] {
  const client = portOf(ports, service, node);
  if (service !== 'zookeeper' || nodeCount(ports, 'zookeeper') === 1) return [client];
  const { peer, election } = zkQuorumPorts(ports, node);
  return [client, peer, election];
}

/** The ZooKeeper connect string of every server, e.g. "127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183". */
export function zkConnectString(ports: StackPorts): string {
  return Array.from({ length: nodeCount(ports, 'zookeeper') }, (_, i) => `127.0.0.1:${portOf(ports, 'zookeeper', i + 1)}`).join(',');
}

/** Kafka's bootstrap list of every broker. */
export function brokerList(ports: StackPorts): string {
  return Array.from({ length: nodeCount(ports, 'kafka') }, (_, i) => `127.0.0.1:${portOf(ports, 'kafka', i + 1)}`).join(',');
}

export function assertServiceName(name: string): ServiceName {
  if ((SERVICE_NAMES as readonly string[]).includes(name)) return name as ServiceName;
  throw new StackError('UNKNOWN_SERVICE', `unknown service "${name}"; expected one of ${SERVICE_NAMES.join(', ')}`);
}

/** `kafka` -> kafka node 1, `kafka-3` -> kafka node 3 (of a multi-node stack). */
export function parseNodeName(name: string): ServiceNode {
  const match = /^(.*)-(\d+)$/.exec(name);
  if (match && (SERVICE_NAMES as readonly string[]).includes(match[1]!) && Number(match[2]) >= 1) {
    return { service: match[1] as ServiceName, node: Number(match[2]) };
  }
  try {
    return { service: assertServiceName(name), node: 1 };
  } catch {
    throw new StackError('UNKNOWN_SERVICE', `unknown service "${name}"; expected one of ${SERVICE_NAMES.join(', ')} (or kafka-2, zookeeper-3, ... on a multi-node stack)`);
  }
}
