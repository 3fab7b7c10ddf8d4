// Start or stop one service of a running stack, e.g. for a fault test that
// kills Redis or Kafka mid-stream and brings it back.
import { StackError } from './errors';
import type { ServiceName, ServiceNode, StackPorts } from './layout';
import { nodeCount, parseNodeName, stackLayout } from './layout';
import { ownedServicePid } from './ownership';
import type { Log } from './service-lifecycle';
import { haltService, launchService, runtimesFor, waitUntilReady } from './service-lifecycle';
import { withStackLock } from './stack-lock';
import { settleRedis } from './readiness';
import type { StackInfo } from './stack-status';
import { runningNodes, stackPorts, stackStatus } from './stack-status';

export interface ServiceControlOptions {
  log?: (line: string) => void;
}

/** `name` is a service (node 1) or a node of a multi-node stack: `kafka-2`, `zookeeper-3`, `redis-4`, `sentinel-2`. */
export async function startService(dir: string, name: ServiceName | string, opts: ServiceControlOptions = {}): Promise<StackInfo> {
  const layout = stackLayout(dir);
  const log: Log = opts.log ?? (() => undefined);
  return withStackLock(layout, async () => {
    const ports = await stackPorts(layout);
    const { service, node } = stackNode(ports, name);
    const pid = await ownedServicePid(layout, service, node);
    const runtimes = await runtimesFor(pid === undefined ? [service] : [], log);
    if (pid !== undefined) await waitUntilReady(layout, ports, service, pid, 0, node);
    else await launchService(layout, ports, service, runtimes, log, node);
    // A Redis server or Sentinel is back once it serves with the others again (rejoined the cluster, replica linked).
    if (service === 'redis' || service === 'sentinel') await settleRedis(ports, new Set((await runningNodes(layout, ports)).keys()), runtimes.redisServer, log);
    return stackStatus(layout.dir);
  });
}

export async function stopService(
  dir: string,
  name: ServiceName | string,
  opts: ServiceControlOptions & { signal?: 'SIGTERM' | 'SIGKILL' } = {},
): Promise<StackInfo> {
  const layout = stackLayout(dir);
  return withStackLock(layout, async () => {
    const { service, node } = stackNode(await stackPorts(layout), name);
    await haltService(layout, service, opts.signal ?? 'SIGTERM', opts.log ?? (() => undefined), node);
    return stackStatus(layout.dir);
  });
}

/** The node `name` stands for, which this stack must have. */
function stackNode(ports: StackPorts, name: string): ServiceNode {
  const found = parseNodeName(name);
  if (found.node > nodeCount(ports, found.service)) {
    throw new StackError('UNKNOWN_SERVICE', `this stack has ${nodeCount(ports, found.service)} ${found.service} node(s), so no ${name}`);
  }
  return found;
}
