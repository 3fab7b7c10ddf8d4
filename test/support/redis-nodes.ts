// Who is who among the Redis servers of a test's own stack (`--redis-cluster`
// or `--redis-sentinel`), asked of the live servers and Sentinels themselves:
// the master serving a key's slot, the master the Sentinels name. While a
// failover is under way they may disagree; every answer here waits (a while)
// until the running ones agree.
import { stackStatus } from '../../deploy/stack';
import type { NodeStatus } from '../../deploy/stack';
import { askRedis } from '../../deploy/stack/redis-call';
import { clusterNodesSeenBy, type ClusterNodeLine } from '../../deploy/stack/redis-cluster';
import { masterNamedBy } from '../../deploy/stack/redis-sentinel';
import { sleep } from './pipeline-harness';

const AGREE_TIMEOUT_MS = 20_000;

/** One server of a Redis Cluster as the running servers agree it is. */
export interface ClusterMember {
  /** `redis`, `redis-2`, ... */
  node: string;
  role: 'master' | 'replica';
  /** The node a replica replicates. */
  master: string | undefined;
  /** Slot ranges a master serves, inclusive. */
  slots: Array<[number, number]>;
}

export interface RedisClusterHandle {
  /** The master (`redis-3`) serving `key`'s slot (CLUSTER KEYSLOT), as every running server says. */
  masterOf(key: string): Promise<string>;
  /** Every server the running ones know and see healthy, by node name, as they all say. */
  clusterMembers(): Promise<ClusterMember[]>;
}

export interface RedisSentinelHandle {
  /** The server (`redis` or `redis-2`) every running Sentinel names as the master of `tabstream`. */
  sentinelMaster(): Promise<string>;
}

/** The Redis Cluster of the stack in `dir` (started with `redisMode: 'cluster'`). */
export function redisClusterHandle(dir: string): RedisClusterHandle {
  const members = () =>
    untilAgreed('the cluster servers on its shape', dir, 'redis', async (port, byPort) => {
      const seen = await clusterNodesSeenBy(port);
      return seen && JSON.stringify(membersFrom(seen, byPort));
    }).then((agreed) => JSON.parse(agreed) as ClusterMember[]);
  return {
    clusterMembers: members,
    masterOf: async (key) => {
      const running = await runningOf(dir, 'redis');
      const slot = await askRedis(running[0]!.port, (redis) => redis.call('CLUSTER', 'KEYSLOT', key));
      if (typeof slot !== 'number') throw new Error(`no server of ${dir} answers CLUSTER KEYSLOT`);
      return untilAgreed(`the cluster servers on the master of slot ${slot}`, dir, 'redis', async (port, byPort) => {
        const master = (await clusterNodesSeenBy(port))?.find((n) => n.role === 'master' && !n.failing && n.slots.some(([from, to]) => from <= slot && slot <= to));
        return master && byPort.get(master.port);
      });
    },
  };
}

/** Redis under Sentinel of the stack in `dir` (started with `redisMode: 'sentinel'`). */
export function redisSentinelHandle(dir: string): RedisSentinelHandle {
  return {
    sentinelMaster: async () => {
      const servers = new Map((await stackStatus(dir)).nodes.filter((n) => n.service === 'redis').map((n) => [n.port, n.name]));
      return untilAgreed('the Sentinels on the master', dir, 'sentinel', async (port) => {
        const masterPort = await masterNamedBy(port);
        return masterPort === undefined ? undefined : servers.get(masterPort);
      });
    },
  };
}

function membersFrom(seen: ClusterNodeLine[], byPort: Map<number, string>): ClusterMember[] {
  const byId = new Map(seen.map((n) => [n.id, byPort.get(n.port)]));
  return seen
    .filter((n) => !n.failing && byPort.has(n.port))
    .map((n) => ({ node: byPort.get(n.port)!, role: n.role, master: n.masterId === undefined ? undefined : byId.get(n.masterId), slots: n.slots }))
    .sort((a, b) => a.node.localeCompare(b.node));
}

async function runningOf(dir: string, service: 'redis' | 'sentinel'): Promise<NodeStatus[]> {
  const running = (await stackStatus(dir)).nodes.filter((n) => n.service === service && n.running);
  if (running.length === 0) throw new Error(`no ${service} of the stack in ${dir} runs`);
  return running;
}

/** What every running node of `service` answers, once they all answer the same (asked again every 200 ms). */
async function untilAgreed(what: string, dir: string, service: 'redis' | 'sentinel', ask: (port: number, nameByPort: Map<number, string>) => Promise<string | undefined>): Promise<string> {
  const deadline = Date.now() + AGREE_TIMEOUT_MS;
  for (;;) {
    const nodes = (await stackStatus(dir)).nodes;
    const nameByPort = new Map(nodes.filter((n) => n.service === 'redis').map((n) => [n.port, n.name]));
    const running = nodes.filter((n) => n.service === service && n.running);
    const answers = await Promise.all(running.map((n) => ask(n.port, nameByPort)));
    if (running.length > 0 && answers.every((answer) => answer !== undefined && answer === answers[0])) return answers[0]!;
    if (Date.now() >= deadline) {
      throw new Error(`${what} did not agree within ${AGREE_TIMEOUT_MS / 1000} s: ${running.map((n, i) => `${n.name} says ${answers[i] ?? 'nothing'}`).join('; ')}`);
    }
    await sleep(200);
  }
}
