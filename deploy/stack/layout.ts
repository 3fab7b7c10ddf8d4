// Where a stack keeps its state: everything lives under one directory, so two
// stacks (the dev one in .stack/, the test one in .stack-test/) never meet.
import { join, resolve } from 'node:path';
import { StackError } from './errors';

export const SERVICE_NAMES = ['zookeeper', 'kafka', 'redis', 'sentinel'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * How the stack runs Redis: one server (`single`, the default); a Redis
 * Cluster of 3 masters each with 1 replica (`cluster`, 6 servers); or a master,
 * a replica and 3 Sentinels watching them (`sentinel`).
 */
export const REDIS_MODES = ['single', 'cluster', 'sentinel'] as const;
export type RedisMode = (typeof REDIS_MODES)[number];
/** The name Sentinels monitor the master by, the path of a `redis-sentinel://` URL. */
export const SENTINEL_MASTER_NAME = 'tabstream';
/** A Redis Cluster node's bus (node-to-node gossip and failover) listens this far above its client port. */
export const CLUSTER_BUS_OFFSET = 10_000;

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
  /** Absent: one Redis server. Redis servers listen on redisPort, redisPort + 1, ...; Sentinels on the ports after them. */
  redisMode?: Exclude<RedisMode, 'single'>;
  /** `dev up --secure`: Kafka on SASL_SSL only (SCRAM-SHA-512, the stack's own CA); secrets in <dir>/secrets/. */
  secure?: true;
  /**
   * Redis speaks TLS only (one server): `tls-port` on redisPort, no plaintext
   * port, certificates of the stack's own CA in <dir>/tls/ (redis-tls.ts).
   */
  redisTls?: true;
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
  sentinel: 'sentinel.conf',
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

export function redisMode(ports: StackPorts): RedisMode {
  return ports.redisMode ?? 'single';
}

/** How many processes of `service` the stack runs (0 Sentinels unless Redis runs under Sentinel). */
export function nodeCount(ports: StackPorts, service: ServiceName): number {
  switch (service) {
    case 'kafka':
      return ports.brokers ?? 1;
    case 'zookeeper':
      return ports.zkNodes ?? 1;
    case 'redis':
      return { single: 1, cluster: 6, sentinel: 2 }[redisMode(ports)];
    case 'sentinel':
      return redisMode(ports) === 'sentinel' ? 3 : 0;
  }
}

/** Every process of the stack, ZooKeeper's first, then Kafka's, then Redis's, then the Sentinels. */
export function stackNodes(ports: StackPorts): ServiceNode[] {
  return SERVICE_NAMES.flatMap((service) => Array.from({ length: nodeCount(ports, service) }, (_, i) => ({ service, node: i + 1 })));
}

/** The client port of a service's node: the base port for node 1, the next ports for the others; Sentinels follow the Redis servers. */
export function portOf(ports: StackPorts, service: ServiceName, node = 1): number {
  switch (service) {
    case 'zookeeper':
      return ports.zkPort + node - 1;
    case 'kafka':
      return ports.kafkaPort + node - 1;
    case 'redis':
      return ports.redisPort + node - 1;
    case 'sentinel':
      return ports.redisPort + nodeCount(ports, 'redis') + node - 1;
  }
}

/** ZooKeeper server `node`'s quorum (follower-to-leader) and leader-election ports. */
export function zkQuorumPorts(ports: StackPorts, node: number): { peer: number; election: number } {
  return { peer: ports.zkPort + ZK_PEER_OFFSET + node - 1, election: ports.zkPort + ZK_ELECTION_OFFSET + node - 1 };
}

/** Every port a node listens on (ZooKeeper's quorum ports too, in an ensemble; a Redis Cluster node's bus). */
export function portsOfNode(ports: StackPorts, { service, node }: ServiceNode): number[] {
  const client = portOf(ports, service, node);
  if (service === 'redis' && redisMode(ports) === 'cluster') return [client, client + CLUSTER_BUS_OFFSET];
  if (service !== 'zookeeper' || nodeCount(ports, 'zookeeper') === 1) return [client];
  const { peer, election } = zkQuorumPorts(ports, node);
  return [client, peer, election];
}

/** The `dev up` option that moves a service's ports (Sentinels follow the Redis servers). */
export function portOption(service: ServiceName): string {
  return { zookeeper: '--zk-port', kafka: '--kafka-port', redis: '--redis-port', sentinel: '--redis-port' }[service];
}

/** Refuses a shape whose nodes would need a port past 65535 (e.g. a Redis Cluster's bus ports, 10000 above its clients'). */
export function assertPortsInRange(ports: StackPorts): void {
  for (const stackNode of stackNodes(ports)) {
    const port = Math.max(...portsOfNode(ports, stackNode));
    if (port > 65_535) {
      const name = nodeName(stackNode.service, stackNode.node);
      throw new StackError('PORT_OUT_OF_RANGE', `${name} would need port ${port}, past 65535; choose a lower ${portOption(stackNode.service)}`);
    }
  }
}

/** `127.0.0.1:<port>` of every node of a service, in node order. */
export function addressesOf(ports: StackPorts, service: ServiceName): string[] {
  return Array.from({ length: nodeCount(ports, service) }, (_, i) => `127.0.0.1:${portOf(ports, service, i + 1)}`);
}

/** The ZooKeeper connect string of every server, e.g. "127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183". */
export function zkConnectString(ports: StackPorts): string {
  return addressesOf(ports, 'zookeeper').join(',');
}

/** Kafka's bootstrap list of every broker. */
export function brokerList(ports: StackPorts): string {
  return addressesOf(ports, 'kafka').join(',');
}

/**
 * The TABSTREAM_REDIS of the stack: `redis://127.0.0.1:6379` for one server
 * (`rediss://` when it speaks TLS),
 * `redis-cluster://<every master and replica>` for a Redis Cluster, and
 * `redis-sentinel://<every Sentinel>/tabstream` under Sentinel.
 */
export function redisUrl(ports: StackPorts): string {
  switch (redisMode(ports)) {
    case 'single':
      return `${ports.redisTls ? 'rediss' : 'redis'}://127.0.0.1:${ports.redisPort}`;
    case 'cluster':
      return `redis-cluster://${addressesOf(ports, 'redis').join(',')}`;
    case 'sentinel':
      return `redis-sentinel://${addressesOf(ports, 'sentinel').join(',')}/${SENTINEL_MASTER_NAME}`;
  }
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
    throw new StackError('UNKNOWN_SERVICE', `unknown service "${name}"; expected one of ${SERVICE_NAMES.join(', ')} (or kafka-2, zookeeper-3, redis-4, sentinel-2, ... on a multi-node stack)`);
  }
}
