// Redis under Sentinel (`dev up --redis-sentinel`): servers `redis` and
// `redis-2`, one the master and the other its replica, watched by Sentinels
// `sentinel`, `sentinel-2`, `sentinel-3` under the master name `tabstream`.
// Which server is the master changes with each failover; the Sentinels know
// it (and write it into their config files), so every start asks them.
import { readFile, writeFile } from 'node:fs/promises';
import type { StackLayout, StackPorts } from './layout';
import { SENTINEL_MASTER_NAME, nodeCount, nodeName, portOf } from './layout';
import { askRedis, infoOf } from './redis-call';
import { renderTemplateFile } from './render-config';

/** Sentinels that must agree a master is down before one of them fails over. */
const QUORUM = 2;

/** The master a Sentinel config monitors (port), and the config epoch it was given at (0 before any failover). */
export function masterInSentinelConfig(text: string): { port: number; epoch: number } | undefined {
  const name = escapeRegExp(SENTINEL_MASTER_NAME);
  const monitor = new RegExp(`^sentinel monitor ${name} \\S+ (\\d+) \\d+\\s*$`, 'm').exec(text);
  if (!monitor) return undefined;
  const epoch = new RegExp(`^sentinel config-epoch ${name} (\\d+)\\s*$`, 'm').exec(text);
  return { port: Number(monitor[1]), epoch: epoch ? Number(epoch[1]) : 0 };
}

/**
 * Whether a Sentinel's config (as rendered, or as the Sentinel rewrote it)
 * still belongs to this stack's shape: its own port, and a master that is one
 * of the stack's servers. Otherwise (ports changed) it is rendered again.
 */
export function sentinelConfigFits(text: string, ports: StackPorts, node: number): boolean {
  const port = /^port (\d+)\s*$/m.exec(text);
  const master = masterInSentinelConfig(text);
  return port !== null && Number(port[1]) === portOf(ports, 'sentinel', node) && master !== undefined && redisNodeOnPort(ports, master.port) !== undefined;
}

/** The server (node number) listening on `port`, if it is one of the stack's. */
export function redisNodeOnPort(ports: StackPorts, port: number): number | undefined {
  const node = port - portOf(ports, 'redis', 1) + 1;
  return Number.isInteger(node) && node >= 1 && node <= nodeCount(ports, 'redis') ? node : undefined;
}

/** Writes Sentinel `node`'s config unless the one there fits the stack (then what the Sentinel learnt stays). */
export async function prepareSentinelConfig(layout: StackLayout, ports: StackPorts, node: number): Promise<void> {
  const file = layout.configFile('sentinel', node);
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing !== undefined && sentinelConfigFits(existing, ports, node)) return;
  const config = await renderTemplateFile('sentinel.conf', {
    sentinelPort: portOf(ports, 'sentinel', node),
    dataDir: layout.dataDir('sentinel', node),
    masterName: SENTINEL_MASTER_NAME,
    masterPort: portOf(ports, 'redis', await currentMasterNode(layout, ports)),
    quorum: QUORUM,
  });
  await writeFile(file, config);
}

/** The port of the master Sentinel `port` names, or undefined when it does not answer. */
export async function masterNamedBy(port: number): Promise<number | undefined> {
  const reply = await askRedis(port, (redis) => redis.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER_NAME));
  return Array.isArray(reply) && reply.length === 2 ? Number(reply[1]) : undefined;
}

/**
 * Which server (node number) is the master now: the one most live Sentinels
 * name; with none answering, the one their config files last recorded (the
 * highest config epoch); on a fresh stack, `redis` (node 1).
 */
export async function currentMasterNode(layout: StackLayout, ports: StackPorts): Promise<number> {
  const sentinels = Array.from({ length: nodeCount(ports, 'sentinel') }, (_, i) => i + 1);
  const named = (await Promise.all(sentinels.map((node) => masterNamedBy(portOf(ports, 'sentinel', node)))))
    .map((port) => (port === undefined ? undefined : redisNodeOnPort(ports, port)))
    .filter((node): node is number => node !== undefined);
  if (named.length > 0) return mostCommon(named);
  let best: { node: number; epoch: number } | undefined;
  for (const node of sentinels) {
    const text = await readFile(layout.configFile('sentinel', node), 'utf8').catch(() => undefined);
    if (text === undefined || !sentinelConfigFits(text, ports, node)) continue;
    const master = masterInSentinelConfig(text)!;
    if (best === undefined || master.epoch > best.epoch) best = { node: redisNodeOnPort(ports, master.port)!, epoch: master.epoch };
  }
  return best?.node ?? 1;
}

/**
 * What keeps the running part of a Sentinel stack from serving, or undefined
 * when nothing does: every replica linked to its master, at most one master,
 * and every Sentinel naming the same master, knowing the other Sentinels and
 * the replica, and (when that master runs) seeing it up.
 */
export async function sentinelStackProblem(ports: StackPorts, running: Set<string>): Promise<string | undefined> {
  const servers = Array.from({ length: nodeCount(ports, 'redis') }, (_, i) => i + 1).filter((node) => running.has(nodeName('redis', node)));
  const masters: number[] = [];
  for (const node of servers) {
    const replication = await infoOf(portOf(ports, 'redis', node), 'replication');
    if (!replication) return `${nodeName('redis', node)} does not answer INFO`;
    if (replication.role === 'master') masters.push(node);
    else if (replication.master_link_status !== 'up') return `${nodeName('redis', node)} is a replica whose link to its master is ${replication.master_link_status ?? 'unknown'}`;
  }
  if (masters.length > 1) return `${masters.map((node) => nodeName('redis', node)).join(' and ')} are both masters`;
  const sentinels = Array.from({ length: nodeCount(ports, 'sentinel') }, (_, i) => i + 1).filter((node) => running.has(nodeName('sentinel', node)));
  const named = new Set<number>();
  for (const node of sentinels) {
    const name = nodeName('sentinel', node);
    const reply = await askRedis(portOf(ports, 'sentinel', node), (redis) => redis.call('SENTINEL', 'MASTER', SENTINEL_MASTER_NAME));
    if (!Array.isArray(reply)) return `${name} does not answer SENTINEL MASTER ${SENTINEL_MASTER_NAME}`;
    const master = pairsToFields(reply as unknown[]);
    const masterNode = redisNodeOnPort(ports, Number(master.port));
    if (masterNode === undefined) return `${name} names a master on port ${master.port}, not one of the stack's`;
    named.add(masterNode);
    if (Number(master['num-other-sentinels']) < nodeCount(ports, 'sentinel') - 1) return `${name} knows ${master['num-other-sentinels']} other Sentinel(s)`;
    if (Number(master['num-slaves']) < nodeCount(ports, 'redis') - 1) return `${name} knows ${master['num-slaves']} replica(s)`;
    if (running.has(nodeName('redis', masterNode)) && master.flags !== 'master') return `${name} sees master ${nodeName('redis', masterNode)} as ${master.flags}`;
  }
  if (named.size > 1) return `the Sentinels name different masters: ${[...named].map((node) => nodeName('redis', node)).join(', ')}`;
  const [master] = named;
  if (master !== undefined && servers.includes(master) && !masters.includes(master)) return `the Sentinels name ${nodeName('redis', master)}, which is not a master (yet)`;
  return undefined;
}

/** A RESP2 flat list of field, value, field, value... as fields. */
function pairsToFields(list: unknown[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) fields[String(list[i])] = String(list[i + 1]);
  return fields;
}

function mostCommon(values: number[]): number {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
