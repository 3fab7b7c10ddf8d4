// What a stack directory holds right now: its ports and which of our
// services run, with their pids and logs.
import type { ServiceName, StackLayout, StackPorts } from './layout';
import { DEFAULT_PORTS, SERVICE_NAMES, portOf, stackLayout } from './layout';
import { ownedServicePid } from './ownership';
import { readStackFile } from './stack-file';

export interface ServiceStatus {
  /** 0 when not running. */
  pid: number;
  port: number;
  running: boolean;
  log: string;
}

export interface StackInfo {
  dir: string;
  /** ZooKeeper connect string, e.g. "127.0.0.1:2181". */
  zk: string;
  /** Kafka bootstrap brokers, e.g. "127.0.0.1:9092". */
  brokers: string;
  /** Redis URL, e.g. "redis://127.0.0.1:6379". */
  redis: string;
  services: Record<ServiceName, ServiceStatus>;
}

export async function stackPorts(layout: StackLayout): Promise<StackPorts> {
  const recorded = await readStackFile(layout);
  return recorded
    ? {
        zkPort: recorded.zkPort,
        kafkaPort: recorded.kafkaPort,
        redisPort: recorded.redisPort,
        ...(recorded.groupInitialRebalanceDelayMs !== undefined && { groupInitialRebalanceDelayMs: recorded.groupInitialRebalanceDelayMs }),
      }
    : { ...DEFAULT_PORTS };
}

export async function runningServices(layout: StackLayout): Promise<Record<ServiceName, number | undefined>> {
  const pids = await Promise.all(SERVICE_NAMES.map((service) => ownedServicePid(layout, service)));
  return { zookeeper: pids[0], kafka: pids[1], redis: pids[2] };
}

export async function stackStatus(dir?: string): Promise<StackInfo> {
  const layout = stackLayout(dir);
  const ports = await stackPorts(layout);
  const running = await runningServices(layout);
  const status = (service: ServiceName): ServiceStatus => ({
    pid: running[service] ?? 0,
    port: portOf(ports, service),
    running: running[service] !== undefined,
    log: layout.logFile(service),
  });
  return {
    dir: layout.dir,
    zk: `127.0.0.1:${ports.zkPort}`,
    brokers: `127.0.0.1:${ports.kafkaPort}`,
    redis: `redis://127.0.0.1:${ports.redisPort}`,
    services: { zookeeper: status('zookeeper'), kafka: status('kafka'), redis: status('redis') },
  };
}
