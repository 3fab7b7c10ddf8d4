// What the fault and cluster suites' own stacks share: their addresses, a
// config on them with a ZooKeeper root of its own per call (the workers of
// one test form their own cluster), and kill -9 / start again of one of
// their processes by name (`kafka`, `kafka-2`, `zookeeper`, ..., `redis-4`,
// `sentinel-2`).
import { startService, stackStatus, stopService } from '../../deploy/stack';
import { resolveConfig, type TabstreamConfig } from '../../topology/config';
import { uniqueName } from './pipeline-harness';

export interface StackHandle<Node extends string = string> {
  dir: string;
  zk: string;
  brokers: string;
  redis: string;
  /** A config on this stack with a ZooKeeper root of its own (workers of one test form their own cluster). */
  config(overrides?: Partial<TabstreamConfig>): TabstreamConfig;
  /** kill -9 of the node's process. */
  kill(node: Node): Promise<void>;
  /**
   * Starts the node again (no-op when it runs) and waits until it answers; a
   * Redis server or Sentinel, until it serves with the others again (a cluster
   * server rejoined, a replica linked to its master, the Sentinels agreeing).
   */
  restart(node: Node): Promise<void>;
  /** SIGSTOP: the process holds its sockets and answers nothing. */
  pause(node: Node): Promise<void>;
  /** SIGCONT after `pause`. */
  resume(node: Node): Promise<void>;
  pid(node: Node): Promise<number>;
}

/** The handle of a started stack in `dir`; each config's ZooKeeper root lies under `zkRoot`. */
export function stackHandle<Node extends string>(dir: string, info: { zk: string; brokers: string; redis: string }, zkRoot: string): StackHandle<Node> {
  return {
    dir,
    zk: info.zk,
    brokers: info.brokers,
    redis: info.redis,
    config: (overrides = {}) => ({
      ...resolveConfig({ zk: info.zk, brokers: info.brokers, redis: info.redis, zkRoot: `${zkRoot}/${uniqueName('c')}` }),
      ...overrides,
    }),
    kill: async (node) => {
      await stopService(dir, node, { signal: 'SIGKILL' });
    },
    restart: async (node) => {
      await startService(dir, node);
    },
    pause: async (node) => signal(await pidOf(dir, node), 'SIGSTOP'),
    resume: async (node) => signal(await pidOf(dir, node), 'SIGCONT'),
    pid: (node) => pidOf(dir, node),
  };
}

async function pidOf(dir: string, node: string): Promise<number> {
  const s = (await stackStatus(dir)).nodes.find((n) => n.name === node);
  if (!s?.running || !s.pid) throw new Error(`${node} of the stack in ${dir} is not running`);
  return s.pid;
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}
