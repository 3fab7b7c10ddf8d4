// What a stack directory holds right now: its ports and which of our
// services run, with their pids and logs.
import { secureConfigFile } from './secure-stack';
import type { ServiceName, StackLayout, StackPorts } from './layout';
import { DEFAULT_PORTS, brokerList, nodeName, portOf, redisUrl, stackLayout, stackNodes, zkConnectString } from './layout';
import { redisTlsFiles } from './redis-tls';
import { ownedServicePid } from './ownership';
import { readStackFile, shapeOf } from './stack-file';

export interface ServiceStatus {
  /** 0 when not running. */
  pid: number;
  port: number;
  running: boolean;
  log: string;
}

/** One process of the stack: `kafka` (node 1), `kafka-2`, ... */
export interface NodeStatus extends ServiceStatus {
  name: string;
  service: ServiceName;
  node: number;
}

export interface StackInfo {
  dir: string;
  /** ZooKeeper connect string, e.g. "127.0.0.1:2181" (every server of an ensemble, comma-separated). */
  zk: string;
  /** Kafka bootstrap brokers, e.g. "127.0.0.1:9092" (every broker, comma-separated). */
  brokers: string;
  /**
   * TABSTREAM_REDIS: "redis://127.0.0.1:6379" for one server,
   * "redis-cluster://127.0.0.1:6379,...,127.0.0.1:6384" (every master and replica) for a Redis Cluster,
   * "redis-sentinel://127.0.0.1:6381,127.0.0.1:6382,127.0.0.1:6383/tabstream" (the Sentinels) under Sentinel.
   */
  redis: string;
  /** A secure stack's client config (TABSTREAM_CONFIG): TLS, SASL and where the secrets' files are. */
  config?: string;
  /** When Redis speaks TLS (`rediss://`): the CA its clients trust, and a client certificate and key they may present. */
  redisTls?: { ca: string; cert: string; key: string };
  /** Node 1 of each service (the only one on a single-node stack); `sentinel` only under Sentinel. */
  services: Record<Exclude<ServiceName, 'sentinel'>, ServiceStatus> & { sentinel?: ServiceStatus };
  /** Every process of the stack, nodes 2, 3, ... of a multi-node stack too. */
  nodes: NodeStatus[];
}

export async function stackPorts(layout: StackLayout): Promise<StackPorts> {
  const recorded = await readStackFile(layout);
  return recorded ? shapeOf(recorded) : { ...DEFAULT_PORTS };
}

/** The pid of every running node of the stack, by node name (`kafka`, `kafka-2`, ...). */
export async function runningNodes(layout: StackLayout, ports: StackPorts): Promise<Map<string, number>> {
  const running = new Map<string, number>();
  for (const { service, node } of stackNodes(ports)) {
    const pid = await ownedServicePid(layout, service, node);
    if (pid !== undefined) running.set(nodeName(service, node), pid);
  }
  return running;
}

export async function stackStatus(dir?: string): Promise<StackInfo> {
  const layout = stackLayout(dir);
  const ports = await stackPorts(layout);
  const running = await runningNodes(layout, ports);
  const nodes = stackNodes(ports).map(({ service, node }): NodeStatus => {
    const name = nodeName(service, node);
    const pid = running.get(name);
    return { name, service, node, pid: pid ?? 0, port: portOf(ports, service, node), running: pid !== undefined, log: layout.logFile(service, node) };
  });
  const first = (service: ServiceName): ServiceStatus | undefined => {
    const found = nodes.find((n) => n.service === service && n.node === 1);
    return found && { pid: found.pid, port: found.port, running: found.running, log: found.log };
  };
  const sentinel = first('sentinel');
  return {
    dir: layout.dir,
    zk: zkConnectString(ports),
    brokers: brokerList(ports),
    redis: redisUrl(ports),
    ...(ports.secure && { config: secureConfigFile(layout) }),
    ...(ports.redisTls && { redisTls: clientTlsFiles(layout) }),
    services: { zookeeper: first('zookeeper')!, kafka: first('kafka')!, redis: first('redis')!, ...(sentinel && { sentinel }) },
    nodes,
  };
}

function clientTlsFiles(layout: StackLayout): { ca: string; cert: string; key: string } {
  const files = redisTlsFiles(layout);
  return { ca: files.ca, cert: files.clientCert, key: files.clientKey };
}
