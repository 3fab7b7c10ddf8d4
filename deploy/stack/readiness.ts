// A service is ready when it answers as its clients will use it: a ZooKeeper
// session, Kafka cluster metadata with a controller, a Redis PING.
import { Redis } from 'ioredis';
import zookeeper from 'node-zookeeper-client';
import { createConnection } from 'node:net';
import type { ServiceName, StackPorts } from './layout';
import { portOf } from './layout';
import { KafkaAdmin } from '../../spouts/kafka-admin';
import { KafkaConnection } from '../../spouts/kafka-connection';

const ATTEMPT_TIMEOUT_MS = 2_000;
const SESSION_TIMEOUT_MS = 10_000;

export function probeService(service: ServiceName, ports: StackPorts, node = 1): Promise<boolean> {
  switch (service) {
    case 'zookeeper':
      return probeZooKeeper(portOf(ports, 'zookeeper', node));
    case 'kafka':
      return probeKafka(portOf(ports, 'kafka', node));
    case 'redis':
      return probeRedis(ports.redisPort);
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

async function probeKafka(port: number): Promise<boolean> {
  const admin = new KafkaAdmin(new KafkaConnection([`127.0.0.1:${port}`]), 'tabstream-stack-probe', ATTEMPT_TIMEOUT_MS);
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

async function probeRedis(port: number): Promise<boolean> {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    connectTimeout: ATTEMPT_TIMEOUT_MS,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG'; // a LOADING error while replaying the AOF means not yet
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
