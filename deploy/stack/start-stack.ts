// startStack: bring up whatever of the stack is missing in a directory and
// wait until all of it answers. Idempotent: running services of ours are
// reused, stale pid files ignored, a half-started stack completed.
import { StackError } from './errors';
import type { RedisMode, ServiceName, ServiceNode, StackPorts } from './layout';
import { DEFAULT_PORTS, assertPortsInRange, nodeCount, nodeName, portOf, portsOfNode, redisMode, stackLayout, stackNodes } from './layout';
import { assertPortFree } from './port-check';
import { settleRedis } from './readiness';
import type { Log } from './service-lifecycle';
import { haltService, launchService, runtimesFor, waitUntilReady } from './service-lifecycle';
import { readStackFile, writeStackFile } from './stack-file';
import { withStackLock } from './stack-lock';
import type { StackInfo } from './stack-status';
import { runningNodes, stackStatus } from './stack-status';
import { ensureKafkaUsers, stackSecrets, writeSecureConfig } from './secure-stack';

export interface StartStackOptions {
  dir?: string;
  zkPort?: number;
  kafkaPort?: number;
  redisPort?: number;
  /** The broker's `group.initial.rebalance.delay.ms` (default 0; Kafka's own default is 3000). */
  groupInitialRebalanceDelayMs?: number;
  /** Kafka brokers (default 1, or the stack's last): 3 replicates every topic 3 times, min ISR 2. */
  brokers?: number;
  /** ZooKeeper servers (default 1, standalone, or the stack's last): 3 form an ensemble. */
  zkNodes?: number;
  /** One Redis server (default, or the stack's last), a Redis Cluster of 3 masters with a replica each, or a master and replica under 3 Sentinels. */
  redisMode?: RedisMode;
  /** Kafka on SASL_SSL only (SCRAM-SHA-512, a CA of the stack's own), secrets in <dir>/secrets/, a client config file for TABSTREAM_CONFIG (default: off, or the stack's last). */
  secure?: boolean;
  /** Redis speaks TLS only, with certificates of the stack's own CA (default off, or the stack's last); one server only. */
  redisTls?: boolean;
  log?: (line: string) => void;
}

export async function startStack(opts: StartStackOptions = {}): Promise<StackInfo> {
  const layout = stackLayout(opts.dir);
  const log: Log = opts.log ?? (() => undefined);
  return withStackLock(layout, async () => {
    const recorded = await readStackFile(layout);
    const recordedPorts: StackPorts = recorded ?? DEFAULT_PORTS;
    const ports: StackPorts = {
      zkPort: opts.zkPort ?? recordedPorts.zkPort,
      kafkaPort: opts.kafkaPort ?? recordedPorts.kafkaPort,
      redisPort: opts.redisPort ?? recordedPorts.redisPort,
    };
    const groupDelay = opts.groupInitialRebalanceDelayMs ?? recorded?.groupInitialRebalanceDelayMs;
    if (groupDelay !== undefined) ports.groupInitialRebalanceDelayMs = groupDelay;
    const brokers = opts.brokers ?? recorded?.brokers ?? 1;
    const zkNodes = opts.zkNodes ?? recorded?.zkNodes ?? 1;
    const redis = opts.redisMode ?? redisMode(recordedPorts);
    if (brokers > 1) ports.brokers = brokers;
    if (zkNodes > 1) ports.zkNodes = zkNodes;
    if (redis !== 'single') ports.redisMode = redis;
    if (opts.secure ?? recorded?.secure) ports.secure = true;
    // A secure stack's Redis speaks TLS only, to its ACL users.
    if (opts.redisTls ?? recorded?.redisTls ?? ports.secure) {
      const shape = redis === 'cluster' ? 'a Redis Cluster' : 'under Sentinel';
      if (redis !== 'single') throw new StackError('REDIS_TLS_SHAPE', `Redis over TLS runs as one server only on the local stack, not ${shape} (dev up --no-redis-tls for plaintext)`);
      ports.redisTls = true;
    }
    assertPortsInRange(ports);
    const anyRunning = (await runningNodes(layout, recordedPorts)).size > 0;
    if (anyRunning && shapeText(recordedPorts) !== shapeText(ports)) {
      throw new StackError('SHAPE_CHANGED', `the stack in ${layout.dir} runs ${shapeText(recordedPorts)}; run \`topology dev down\` first to change that`);
    }
    const running = await runningNodes(layout, ports);
    for (const { service, node } of stackNodes(ports)) {
      const name = nodeName(service, node);
      if (running.has(name) && portOf(recordedPorts, service, node) !== portOf(ports, service, node)) {
        throw new StackError(
          'PORTS_CHANGED',
          `${name} of the stack in ${layout.dir} already runs on port ${portOf(recordedPorts, service, node)}; run \`topology dev down\` first to change ports`,
        );
      }
    }
    await writeStackFile(layout, { ...ports, ...(recorded?.startedForLeases && { startedForLeases: true }) });

    const missing = stackNodes(ports).filter(({ service, node }) => !running.has(nodeName(service, node)));
    for (const [name, pid] of running) log(`${name}: already running (pid ${pid})`);
    // Every check (programs, jars, ports) happens before the first process starts.
    const runtimes = await runtimesFor([...new Set(missing.map((m) => m.service))], log);
    for (const missingNode of missing) {
      for (const port of portsOfNode(ports, missingNode)) await assertPortFree(port, missingNode.service);
    }

    const startedNow: ServiceNode[] = [];
    const bringUp = async ({ service, node }: ServiceNode): Promise<void> => {
      const pid = running.get(nodeName(service, node));
      if (pid !== undefined) return waitUntilReady(layout, ports, service, pid, 0, node);
      startedNow.push({ service, node });
      await launchService(layout, ports, service, runtimes, log, node);
    };
    const nodesOf = (service: ServiceName) => stackNodes(ports).filter((n) => n.service === service);
    const namesOf = (...services: ServiceName[]) => new Set(services.flatMap((service) => nodesOf(service).map((n) => nodeName(service, n.node))));
    const settleRedisSide = async (): Promise<void> => {
      // A cluster is created once its servers answer; a replica is linked before the Sentinels come, so their first look at the master finds it.
      await settleRedis(ports, namesOf('redis'), runtimes.redisServer, log);
      if (nodeCount(ports, 'sentinel') === 0) return;
      await settleAll(nodesOf('sentinel').map(bringUp));
      await settleRedis(ports, namesOf('redis', 'sentinel'), runtimes.redisServer, log);
    };
    try {
      // ZooKeeper and Redis start side by side (an ensemble's servers must, to elect a leader); Kafka needs ZooKeeper.
      await settleAll([...nodesOf('zookeeper'), ...nodesOf('redis')].map(bringUp));
      // A secure broker logs in to its peers as a SCRAM user: the users are in ZooKeeper before it starts.
      const secrets = ports.secure ? await stackSecrets(layout) : undefined;
      if (secrets !== undefined) await ensureKafkaUsers(ports, secrets);
      await settleAll([...nodesOf('kafka').map(bringUp), settleRedisSide()]);
      if (secrets !== undefined) {
        const info = await stackStatus(layout.dir);
        await writeSecureConfig(layout, secrets, info);
      }
    } catch (err) {
      for (const { service, node } of startedNow.reverse()) await haltService(layout, service, 'SIGKILL', log, node).catch(() => undefined);
      throw err;
    }
    return stackStatus(layout.dir);
  });
}

/** "3 broker(s), 3 ZooKeeper server(s) and a Redis Cluster": what a running stack cannot change. */
function shapeText(ports: StackPorts): string {
  const redis = { single: 'one Redis server', cluster: 'a Redis Cluster', sentinel: 'Redis under Sentinel' }[redisMode(ports)];
  return `${nodeCount(ports, 'kafka')} broker(s), ${nodeCount(ports, 'zookeeper')} ZooKeeper server(s) and ${redis}${ports.redisTls ? ' over TLS' : ''}${ports.secure ? ', secured' : ''}`;
}

/** Like Promise.all, but waits for every promise before rejecting, so nothing is still starting while we clean up. */
async function settleAll(promises: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
}
