// Bringing one service up (free port, config, spawn, wait until it answers)
// and down (by its recorded pid only). On any failure to come up, the process
// just spawned is killed: a failed start never leaves an orphan.
import { StackError } from './errors';
import type { Runtimes } from './launch-plans';
import { prepareLaunch } from './launch-plans';
import type { ServiceName, StackLayout, StackPorts } from './layout';
import { nodeName, portOf, portsOfNode, zkConnectString } from './layout';
import { ownedServicePid } from './ownership';
import { removePidFile } from './pid-file';
import { assertPortFree } from './port-check';
import { processFacts } from './process-table';
import { probeService } from './readiness';
import { stackKafkaSecurity, stackRedisAuth } from './secure-stack';
import { logTail, signalUntilGone, sleep, spawnService } from './service-process';
import { waitForStaleBrokerToExpire } from './stale-broker';
import { stackClasspath } from './classpath';
import { findJava, findRedisServer } from './requirements';
import { stackRedisTlsOptions } from './redis-tls';

const READY_TIMEOUT_MS: Record<ServiceName, number> = { zookeeper: 30_000, kafka: 90_000, redis: 30_000, sentinel: 30_000 };
const STOP_GRACE_MS: Record<ServiceName, number> = { zookeeper: 10_000, kafka: 30_000, redis: 15_000, sentinel: 10_000 };
const LOG_TAIL_LINES = 15;

export type Log = (line: string) => void;

/** Finds (and checks) the programs the given services need, before anything is started. */
export async function runtimesFor(services: ServiceName[], log: Log): Promise<Runtimes> {
  const runtimes: Runtimes = {};
  if (services.includes('zookeeper') || services.includes('kafka')) {
    runtimes.java = findJava();
    runtimes.classpath = await stackClasspath(log);
  }
  if (services.includes('redis') || services.includes('sentinel')) runtimes.redisServer = findRedisServer(log);
  return runtimes;
}

export async function launchService(layout: StackLayout, ports: StackPorts, service: ServiceName, runtimes: Runtimes, log: Log, node = 1): Promise<number> {
  const name = nodeName(service, node);
  for (const port of portsOfNode(ports, { service, node })) await assertPortFree(port, service);
  if (service === 'kafka') await waitForStaleBrokerToExpire(zkConnectString(ports), node - 1, log);
  const plan = await prepareLaunch(layout, ports, service, runtimes, node);
  const started = Date.now();
  log(`${name}: starting on 127.0.0.1:${portOf(ports, service, node)}`);
  const { pid, logOffset } = await spawnService(layout, service, plan, node);
  try {
    await waitUntilReady(layout, ports, service, pid, logOffset, node);
  } catch (err) {
    await signalUntilGone(pid, 'SIGKILL', 0);
    await removePidFile(layout.pidFile(service, node));
    throw err;
  }
  log(`${name}: ready in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${pid})`);
  return pid;
}

export async function waitUntilReady(layout: StackLayout, ports: StackPorts, service: ServiceName, pid: number, logOffset = 0, node = 1): Promise<void> {
  const name = nodeName(service, node);
  const deadline = Date.now() + READY_TIMEOUT_MS[service];
  const startTime = processFacts(pid)?.startTime;
  // How the probe reaches the node, read once: the stack's secrets do not change while it starts.
  const redisTls = service === 'redis' && ports.redisTls ? stackRedisTlsOptions(layout) : undefined;
  const kafka = ports.secure && service === 'kafka' ? await stackKafkaSecurity(layout) : undefined;
  const redisAuth = ports.secure && service === 'redis' ? await stackRedisAuth(layout) : undefined;
  for (;;) {
    if (startTime === undefined || processFacts(pid)?.startTime !== startTime) {
      throw await startFailure(layout, service, node, 'SERVICE_EXITED', `${name} exited while starting`, logOffset);
    }
    if (await probeService(service, ports, node, { kafka, redisTls, redisAuth })) return;
    if (Date.now() >= deadline) {
      throw await startFailure(layout, service, node, 'START_TIMEOUT', `${name} did not answer within ${READY_TIMEOUT_MS[service] / 1000} s`, logOffset);
    }
    await sleep(250);
  }
}

async function startFailure(layout: StackLayout, service: ServiceName, node: number, code: 'SERVICE_EXITED' | 'START_TIMEOUT', what: string, logOffset: number): Promise<StackError> {
  const log = layout.logFile(service, node);
  const tail = await logTail(log, LOG_TAIL_LINES, logOffset);
  return new StackError(code, `${what} (log: ${log})${tail ? `; last lines:\n${tail}` : ''}`);
}

/** Stops our process for `service`, if one runs; throws when it will not die. */
export async function haltService(layout: StackLayout, service: ServiceName, signal: 'SIGTERM' | 'SIGKILL', log: Log, node = 1): Promise<void> {
  const name = nodeName(service, node);
  const pid = await ownedServicePid(layout, service, node);
  if (pid === undefined) return;
  log(`${name}: stopping pid ${pid} (${signal})`);
  if (!(await signalUntilGone(pid, signal, STOP_GRACE_MS[service]))) {
    throw new StackError('STOP_FAILED', `${name} (pid ${pid}) is still running after SIGKILL`);
  }
  await removePidFile(layout.pidFile(service, node));
}
