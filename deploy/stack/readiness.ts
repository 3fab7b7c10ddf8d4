// A service is ready when it answers as its clients will use it: a ZooKeeper
// session, Kafka cluster metadata with a controller, a Redis PING, a Sentinel
// naming its master; and a stack's Redis Cluster or Sentinel set-up once it
// serves as a whole (settleRedis).
import zookeeper from 'node-zookeeper-client';
import { createConnection } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { StackError } from './errors';
import type { ServiceName, StackPorts } from './layout';
import { portOf, redisMode } from './layout';
import { askRedis } from './redis-call';
import { clusterProblem, createClusterIfFresh } from './redis-cluster';
import { masterNamedBy, sentinelStackProblem } from './redis-sentinel';
import { sleep } from './service-process';
import { KafkaAdmin } from '../../spouts/kafka-admin';
import { KafkaConnection } from '../../spouts/kafka-connection';
import type { KafkaSecurity } from '../../topology/config';

const ATTEMPT_TIMEOUT_MS = 2_000;
const SESSION_TIMEOUT_MS = 10_000;
/** A Redis Cluster created, or a replica synced and Sentinels acquainted, within this. */
const REDIS_SETTLE_TIMEOUT_MS = 60_000;

/**
 * Whether the node serves, asked as a client of the stack asks: `kafka`, how
 * a client reaches the brokers of a secure stack; `redisTls`, the client TLS
 * options of a stack whose Redis speaks TLS (redis-tls.ts).
 */
export async function probeService(
  service: ServiceName,
  ports: StackPorts,
  node = 1,
  clientSecurity: { kafka?: KafkaSecurity; redisTls?: ConnectionOptions; redisAuth?: { username: string; password: string } } = {},
): Promise<boolean> {
  switch (service) {
    case 'zookeeper':
      return probeZooKeeper(portOf(ports, 'zookeeper', node));
    case 'kafka':
      return probeKafka(portOf(ports, 'kafka', node), clientSecurity.kafka);
    case 'redis':
      return probeRedis(portOf(ports, 'redis', node), clientSecurity.redisTls, clientSecurity.redisAuth);
    case 'sentinel':
      return (await masterNamedBy(portOf(ports, 'sentinel', node))) !== undefined;
  }
}

/**
 * Once the running Redis servers (and Sentinels) each answer: creates a Redis
 * Cluster whose servers are all fresh, then waits until the running part of
 * the stack's Redis serves as a whole (see clusterProblem and
 * sentinelStackProblem). Nothing to do for one server.
 */
export async function settleRedis(ports: StackPorts, running: Set<string>, redisServer: string | undefined, log: (line: string) => void): Promise<void> {
  const mode = redisMode(ports);
  if (mode === 'single') return;
  if (mode === 'cluster') await createClusterIfFresh(ports, redisServer, log);
  const deadline = Date.now() + REDIS_SETTLE_TIMEOUT_MS;
  for (;;) {
    const problem = mode === 'cluster' ? await clusterProblem(ports, running) : await sentinelStackProblem(ports, running);
    if (problem === undefined) return;
    if (Date.now() >= deadline) {
      const what = mode === 'cluster' ? 'the Redis Cluster' : 'Redis under Sentinel';
      throw new StackError('START_TIMEOUT', `${what} did not come together within ${REDIS_SETTLE_TIMEOUT_MS / 1000} s: ${problem}`);
    }
    await sleep(250);
  }
}

/** A connected ZooKeeper session (to a port on loopback, or a connect string), or undefined when none opens within timeoutMs. The caller closes it. */
export function openZooKeeperSession(to: number | string, timeoutMs: number): Promise<zookeeper.Client | undefined> {
  return new Promise((resolve) => {
    const client = zookeeper.createClient(typeof to === 'number' ? `127.0.0.1:${to}` : to, { sessionTimeout: 4_000, spinDelay: 200, retries: 0 });
    const timer = setTimeout(() => {
      client.close();
      resolve(undefined);
    }, timeoutMs);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.connect();
  });
}

// node-zookeeper-client cannot close a client whose connection is still being
// set up (the late connect reply then throws inside its socket handler), so a
// session is only opened once the four-letter `srvr` says the server serves.
async function probeZooKeeper(port: number): Promise<boolean> {
  if (!isServingReply(await fourLetterWord(port, 'srvr'))) return false;
  const client = await openZooKeeperSession(port, SESSION_TIMEOUT_MS);
  client?.close();
  return client !== undefined;
}

/** `srvr` answers "Mode: standalone" (or leader, follower, observer) once the server serves requests. */
export function isServingReply(reply: string): boolean {
  return /^Mode: (standalone|leader|follower|observer)$/m.test(reply);
}

/** Sends a ZooKeeper four-letter command over a plain socket; '' when there is no answer. */
export function fourLetterWord(port: number, command: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(ATTEMPT_TIMEOUT_MS, () => socket.destroy());
    socket.on('connect', () => socket.write(command));
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(reply));
  });
}

async function probeKafka(port: number, security?: KafkaSecurity): Promise<boolean> {
  const admin = new KafkaAdmin(new KafkaConnection([`127.0.0.1:${port}`], security), 'tabstream-stack-probe', ATTEMPT_TIMEOUT_MS);
  try {
    const cluster = await admin.cluster();
    // Topic creation needs an elected controller, not just a listening socket.
    return cluster.brokers > 0 && cluster.controller >= 0;
  } catch {
    return false;
  } finally {
    await admin.close();
  }
}

async function probeRedis(port: number, tls?: ConnectionOptions, auth?: { username: string; password: string }): Promise<boolean> {
  // A LOADING error while replaying the AOF means not yet.
  return (await askRedis(port, (redis) => redis.ping(), ATTEMPT_TIMEOUT_MS, tls, auth)) === 'PONG';
}
