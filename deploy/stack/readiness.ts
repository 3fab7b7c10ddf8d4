// A service is ready when it answers as its clients will use it: a ZooKeeper
// session, Kafka cluster metadata with a controller, a Redis PING.
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import zookeeper from 'node-zookeeper-client';
import type { ServiceName, StackPorts } from './layout';

const ATTEMPT_TIMEOUT_MS = 2_000;

export function probeService(service: ServiceName, ports: StackPorts): Promise<boolean> {
  switch (service) {
    case 'zookeeper':
      return probeZooKeeper(ports.zkPort);
    case 'kafka':
      return probeKafka(ports.kafkaPort);
    case 'redis':
      return probeRedis(ports.redisPort);
  }
}

/** A connected ZooKeeper session, or undefined when none opens within timeoutMs. The caller closes it. */
export function openZooKeeperSession(port: number, timeoutMs: number): Promise<zookeeper.Client | undefined> {
  return new Promise((resolve) => {
    const client = zookeeper.createClient(`127.0.0.1:${port}`, { sessionTimeout: 4_000, spinDelay: 200, retries: 0 });
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

async function probeZooKeeper(port: number): Promise<boolean> {
  const client = await openZooKeeperSession(port, ATTEMPT_TIMEOUT_MS);
  client?.close();
  return client !== undefined;
}

async function probeKafka(port: number): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'tabstream-stack-probe',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: ATTEMPT_TIMEOUT_MS,
    requestTimeout: ATTEMPT_TIMEOUT_MS,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    // Topic creation needs an elected controller, not just a listening socket.
    return cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller >= 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
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
