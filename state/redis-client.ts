import Redis, { Cluster, type ClusterNode, type Command } from 'ioredis';
import { parseRedisTarget, type RedisTarget } from './redis-target';

/** One Redis server (possibly behind Sentinels) or a Redis Cluster: what every Tabstream component talks to. */
export type RedisConnection = Redis | Cluster;

export interface RedisClientOptions {
  /**
   * A command unanswered this long fails (StateStoreUnavailableError once
   * mapped): a hung Redis (paused, overloaded, behind a dead link, a cluster
   * failing over) must never hang a caller. Default 3000.
   */
  timeoutMs?: number;
  /** Reconnection attempts a command waits for before it fails; default 2. */
  maxRetriesPerRequest?: number;
}

/**
 * An ioredis client as every Tabstream component uses one, for any target
 * `redis` names (redis-target.ts): every command and every connection
 * attempt has a timeout, and a lost connection is re-opened by ioredis
 * itself (on a cluster, to the node that serves the slot now; behind
 * Sentinels, to the master they name now). Connection errors surface where
 * they matter, as the failing command's error; the 'error' event itself is
 * silenced, or ioredis prints an "Unhandled error event" trace per retry.
 */
export function redisClient(url: string, opts: RedisClientOptions = {}): RedisConnection {
  const redis = connect(parseRedisTarget(url), opts.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS, opts.maxRetriesPerRequest ?? 2);
  redis.on('error', () => {});
  return redis;
}

// Reconnect soon after Redis is back (ioredis' default waits up to 2 s between tries).
const reconnectDelay = (times: number): number => Math.min(times * 100, 1000);

function connect(target: RedisTarget, timeoutMs: number, maxRetriesPerRequest: number): RedisConnection {
  const timeouts = { commandTimeout: timeoutMs, connectTimeout: timeoutMs, maxRetriesPerRequest };
  switch (target.kind) {
    case 'server':
      return new Redis(target.url, { ...timeouts, retryStrategy: reconnectDelay });
    case 'sentinel':
      return new Redis({
        ...timeouts,
        sentinels: target.sentinels,
        name: target.masterName,
        ...(target.username !== undefined && { username: target.username }),
        ...(target.password !== undefined && { password: target.password }),
        sentinelCommandTimeout: timeoutMs,
        // Sentinels tell subscribers of a new master at once, instead of after the old one's connection fails.
        failoverDetector: true,
        retryStrategy: reconnectDelay,
        sentinelRetryStrategy: reconnectDelay,
      });
    case 'cluster':
      return new TimedCluster(timeoutMs, target.nodes, {
        redisOptions: {
          ...timeouts,
          ...(target.username !== undefined && { username: target.username }),
          ...(target.password !== undefined && { password: target.password }),
        },
        clusterRetryStrategy: reconnectDelay,
        slotsRefreshTimeout: timeoutMs,
        // A failover moves slots: ask again soon rather than after 100 ms per redirection.
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 200,
        retryDelayOnTryAgain: 100,
      });
  }
}

/**
 * ioredis's Cluster starts a command's timeout only once a node's connection
 * takes it; while the cluster (re)connects or refreshes its slots a command
 * waits in the cluster's own queue without one. This one starts it when the
 * command is issued, so it spans the queue, redirections and the node.
 */
class TimedCluster extends Cluster {
  constructor(
    private readonly timeoutMs: number,
    nodes: ClusterNode[],
    options: ConstructorParameters<typeof Cluster<'legacy'>>[1],
  ) {
    super(nodes, options);
  }

  override sendCommand(command: Command, stream?: Parameters<Cluster['sendCommand']>[1], node?: unknown): unknown {
    // Undefined while Cluster's own constructor runs (before this class's fields are set).
    if (this.timeoutMs !== undefined) command.setTimeout(this.timeoutMs);
    return super.sendCommand(command, stream, node);
  }
}

/** The servers that take writes: every master of a cluster, else the one connection. */
export function writableNodes(redis: RedisConnection): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}

export const isCluster = (redis: RedisConnection): redis is Cluster => redis instanceof Cluster;

export const DEFAULT_REDIS_TIMEOUT_MS = 3000;

export { CLIENT_TIMEOUT_MS } from './client-timeouts';
