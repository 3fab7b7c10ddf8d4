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
}

export const DEFAULT_STACK_DIR = '.stack';
export const DEFAULT_PORTS: StackPorts = { zkPort: 2181, kafkaPort: 9092, redisPort: 6379 };

export interface StackLayout {
  dir: string;
  stackFile: string;
  lockFile: string;
  configDir: string;
  leasesDir: string;
  dataDir(service: ServiceName): string;
  logFile(service: ServiceName): string;
  pidFile(service: ServiceName): string;
  /** The rendered config file; its absolute path is on the service's command line, which marks the process as ours. */
  configFile(service: ServiceName): string;
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
    dataDir: (service) => join(root, 'data', service),
    logFile: (service) => join(root, 'logs', `${service}.log`),
    pidFile: (service) => join(root, 'pids', `${service}.pid`),
    configFile: (service) => join(configDir, CONFIG_FILE_NAMES[service]),
  };
}

export function portOf(ports: StackPorts, service: ServiceName): number {
  switch (service) {
    case 'zookeeper':
      return ports.zkPort;
    case 'kafka':
      return ports.kafkaPort;
    case 'redis':
      return ports.redisPort;
  }
}

export function assertServiceName(name: string): ServiceName {
  if ((SERVICE_NAMES as readonly string[]).includes(name)) return name as ServiceName;
  throw new StackError('UNKNOWN_SERVICE', `unknown service "${name}"; expected one of ${SERVICE_NAMES.join(', ')}`);
}
