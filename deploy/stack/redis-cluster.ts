// A Redis Cluster (`dev up --redis-cluster`): servers `redis` .. `redis-6`,
// made into 3 masters each with one replica by `redis-cli --cluster create`
// the first time they all run empty. Each node keeps the cluster's shape in
// its nodes.conf (in its data dir), so a restarted stack is the same cluster
// again, never created anew.
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { StackError } from './errors';
import type { StackPorts } from './layout';
import { nodeCount, nodeName, portOf } from './layout';
import { askRedis, infoOf } from './redis-call';
import { findExecutable } from './requirements';

export const CLUSTER_SLOTS = 16_384;
const REPLICAS_PER_MASTER = 1;
const CREATE_TIMEOUT_MS = 60_000;

/** One line of CLUSTER NODES. */
export interface ClusterNodeLine {
  id: string;
  port: number;
  role: 'master' | 'replica';
  /** The id of the master a replica replicates. */
  masterId: string | undefined;
  /** Slot ranges a master serves, inclusive. */
  slots: Array<[number, number]>;
  /** Flagged fail, fail? (suspected), handshake or noaddr by the node asked. */
  failing: boolean;
  myself: boolean;
}

/** Parses CLUSTER NODES: `<id> <ip:port@bus> <flags> <master|-> <ping> <pong> <epoch> <link> <slot ranges...>`. */
export function parseClusterNodes(text: string): ClusterNodeLine[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => {
      const [id, address, flagList, master, , , , , ...slotFields] = line.split(' ');
      const flags = flagList!.split(',');
      const hostPort = address!.split('@')[0]!;
      return {
        id: id!,
        port: Number(hostPort.slice(hostPort.lastIndexOf(':') + 1)),
        role: flags.includes('slave') ? 'replica' : 'master',
        masterId: master === '-' ? undefined : master,
        // `[slot->-id]` / `[slot-<-id]` are slots being migrated, not served.
        slots: slotFields.filter((field) => !field.startsWith('[')).map((field) => {
          const [from, to] = field.split('-').map(Number);
          return [from!, to ?? from!] as [number, number];
        }),
        failing: flags.some((flag) => ['fail', 'fail?', 'handshake', 'noaddr'].includes(flag)),
        myself: flags.includes('myself'),
      };
    });
}

/** CLUSTER NODES as the server on `port` sees it; undefined when it does not answer. */
export async function clusterNodesSeenBy(port: number): Promise<ClusterNodeLine[] | undefined> {
  const text = await askRedis(port, (redis) => redis.call('CLUSTER', 'NODES'));
  return typeof text === 'string' ? parseClusterNodes(text) : undefined;
}

/**
 * Creates the cluster when every server runs and none has joined one yet
 * (each knows only itself and serves no slot). A stack whose servers already
 * form the cluster is left as it is; one where some did and others did not
 * cannot be mended here.
 */
export async function createClusterIfFresh(ports: StackPorts, redisServer: string | undefined, log: (line: string) => void): Promise<void> {
  const nodes = Array.from({ length: nodeCount(ports, 'redis') }, (_, i) => i + 1);
  const infos = await Promise.all(nodes.map((node) => infoOf(portOf(ports, 'redis', node), 'cluster')));
  if (infos.some((info) => info === undefined)) return; // not all up: nothing to judge by (the wait says who is missing)
  const fresh = nodes.filter((_, i) => infos[i]!.cluster_known_nodes === '1' && infos[i]!.cluster_slots_assigned === '0');
  if (fresh.length === 0) return;
  if (fresh.length < nodes.length) {
    throw new StackError(
      'REDIS_CLUSTER_BROKEN',
      `${fresh.map((node) => nodeName('redis', node)).join(', ')} joined no Redis Cluster while the other servers did (a lost data/redis*/nodes.conf?); \`topology dev down\`, remove the stack's data/redis* and \`dev up\` again`,
    );
  }
  const redisCli = findRedisCli(redisServer);
  const addresses = nodes.map((node) => `127.0.0.1:${portOf(ports, 'redis', node)}`);
  log(`redis: creating the Redis Cluster of ${nodes.length} servers (${nodes.length / (REPLICAS_PER_MASTER + 1)} masters, ${REPLICAS_PER_MASTER} replica each)`);
  try {
    await promisify(execFile)(redisCli, ['--cluster', 'create', ...addresses, '--cluster-replicas', String(REPLICAS_PER_MASTER), '--cluster-yes'], {
      timeout: CREATE_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
  } catch (err) {
    const { stdout, stderr, message } = err as { stdout?: string; stderr?: string; message: string };
    const said = `${stdout ?? ''}${stderr ?? ''}`.replace(/\u001b\[[0-9;]*m/g, '').trim().split('\n').slice(-5).join('\n');
    throw new StackError(
      'REDIS_CLUSTER_BROKEN',
      `redis-cli --cluster create failed (a server holding keys, e.g. from another Redis shape in this directory, cannot join a new cluster: \`topology dev down\`, remove the stack's data/redis* or use a fresh --dir): ${said || message}`,
    );
  }
}

/**
 * What keeps the running servers of the cluster from serving, or undefined
 * when nothing does: each says cluster_state:ok with every slot assigned and
 * knows all the nodes; each sees every running server healthy (not failing,
 * a master with slots or a replica); each replica is linked to its master.
 */
export async function clusterProblem(ports: StackPorts, running: Set<string>): Promise<string | undefined> {
  const nodes = Array.from({ length: nodeCount(ports, 'redis') }, (_, i) => i + 1).filter((node) => running.has(nodeName('redis', node)));
  const runningPorts = new Map(nodes.map((node) => [portOf(ports, 'redis', node), nodeName('redis', node)]));
  for (const node of nodes) {
    const name = nodeName('redis', node);
    const port = portOf(ports, 'redis', node);
    const info = await infoOf(port, 'cluster');
    if (!info) return `${name} does not answer CLUSTER INFO`;
    if (info.cluster_state !== 'ok') return `${name} says cluster_state:${info.cluster_state}`;
    if (Number(info.cluster_slots_assigned) !== CLUSTER_SLOTS) return `${name} says ${info.cluster_slots_assigned} of ${CLUSTER_SLOTS} slots are assigned`;
    if (Number(info.cluster_known_nodes) !== nodeCount(ports, 'redis')) return `${name} knows ${info.cluster_known_nodes} nodes`;
    const seen = await clusterNodesSeenBy(port);
    if (!seen) return `${name} does not answer CLUSTER NODES`;
    for (const [otherPort, other] of runningPorts) {
      const line = seen.find((entry) => entry.port === otherPort);
      if (!line) return `${name} does not know ${other}`;
      if (line.failing) return `${name} sees ${other} failing`;
      if (line.role === 'master' && line.slots.length === 0) return `${name} sees ${other} as a master without slots`;
    }
    const replication = await infoOf(port, 'replication');
    if (replication?.role === 'slave' && replication.master_link_status !== 'up') return `${name} is a replica whose link to its master is ${replication.master_link_status ?? 'unknown'}`;
  }
  return undefined;
}

/** redis-cli beside redis-server (the same package), else on PATH. */
function findRedisCli(redisServer: string | undefined): string {
  const beside = redisServer && findExecutable('redis-cli', { PATH: dirname(redisServer) });
  const found = beside || findExecutable('redis-cli');
  if (!found) {
    throw new StackError('REDIS_MISSING', `a Redis Cluster is created with redis-cli, which is not on PATH${redisServer ? ` nor in ${dirname(redisServer)}` : ''}; install it (e.g. sudo apt-get install -y redis-tools)`);
  }
  return found;
}
