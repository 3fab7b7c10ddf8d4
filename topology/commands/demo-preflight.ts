// Before the demo talks to services it did not start, check that something
// listens where they should be: one clear line at once, instead of each
// client's own retries and stack traces a quarter of a minute later.
import { connect } from 'node:net';
import type { TabstreamConfig } from '../config';
import { firstContacts, parseRedisTarget, redact } from '../../state/redis-target';

interface Endpoint {
  host: string;
  port: number;
}

/** `host:port` pairs of a ZooKeeper connection string (`h1:2181,h2:2181/chroot`) or a broker list. */
export function endpointsOf(list: string[], defaultPort: number): Endpoint[] {
  return list.map((entry) => {
    const hostPort = entry.trim().split('/')[0]!;
    const colon = hostPort.lastIndexOf(':');
    if (colon < 0) return { host: hostPort, port: defaultPort };
    return { host: hostPort.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(hostPort.slice(colon + 1)) };
  });
}

function answers({ host, port }: Endpoint, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** Throws one line naming every service that nothing answers for. */
export async function assertServicesAnswer(config: TabstreamConfig, timeoutMs = 3000): Promise<void> {
  const services: Array<[string, string, Endpoint[]]> = [
    ['ZooKeeper', config.zk, endpointsOf(config.zk.split(','), 2181)],
    ['Kafka', config.brokers.join(','), endpointsOf(config.brokers, 9092)],
    ['Redis', redact(config.redis), firstContacts(parseRedisTarget(config.redis))],
  ];
  const silent: string[] = [];
  for (const [name, address, endpoints] of services) {
    const reached = await Promise.all(endpoints.map((e) => answers(e, timeoutMs)));
    if (!reached.includes(true)) silent.push(`${name} at ${address}`);
  }
  if (silent.length > 0) {
    throw new Error(`nothing answers for ${silent.join(', ')}; start them, or let the demo start a local stack (no --no-stack, no TABSTREAM_* variables)`);
  }
}
