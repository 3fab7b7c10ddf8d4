import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import Redis, { Cluster, type ClusterNode, type Command } from 'ioredis';
import { parseRedisTarget, redact, RedisTargetError, type RedisTarget } from './redis-target';
import { scrubCredentials } from './redis-errors';

/** One Redis server (possibly behind Sentinels) or a Redis Cluster: what every Tabstream component talks to. */
export type RedisConnection = Redis | Cluster;

/**
 * TLS files (paths) for a `rediss` target: the CA to trust (without it, the
 * system's CAs), and a client certificate and key for a Redis that asks
 * clients for one (`tls-auth-clients`).
 */
export interface RedisTlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

/**
 * How to reach Redis: the `redis` URL and what it leaves out. A
 * TabstreamConfig is one; a bare URL string stands for `{ redis: url }`.
 */
export interface RedisAccess {
  redis: string;
  /** Files for TLS; TLS itself is on when the URL's scheme says so (`rediss://`, `rediss-cluster://`, `rediss-sentinel://`). */
  redisTls?: RedisTlsFiles;
  /** A file holding the password of the URL's user (or of Redis's `default` user), when the URL carries none. */
  redisPasswordFile?: string;
}

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
 * `redis` names (redis-target.ts), with its TLS files and password
 * (`redisTls`, `redisPasswordFile`): every command and every connection
 * attempt has a timeout, and a lost connection is re-opened by ioredis
 * itself (on a cluster, to the node that serves the slot now; behind
 * Sentinels, to the master they name now). Connection errors surface where
 * they matter, as the failing command's error (with connectionProblem());
 * the 'error' event itself is silenced, or ioredis prints an "Unhandled
 * error event" trace per retry.
 */
export function redisClient(access: string | RedisAccess, opts: RedisClientOptions = {}): RedisConnection {
  const settings = typeof access === 'string' ? { redis: access } : access;
  const target = parseRedisTarget(settings.redis);
  const redis = connect(target, transportOptions(target, settings), opts.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS, opts.maxRetriesPerRequest ?? 2);
  const noted = (err: Error): void => {
    problems.set(redis, scrubCredentials(err));
  };
  redis.on('error', noted);
  redis.on('node error', noted);
  redis.on('ready', () => {
    problems.delete(redis);
    everReady.add(redis);
  });
  return redis;
}

const problems = new WeakMap<RedisConnection, Error>();
const everReady = new WeakSet<RedisConnection>();

/**
 * Why the client's last connection attempt failed (a refused connection, a
 * TLS certificate not trusted, a login refused), while it has not connected
 * since; and whether it ever connected. Commands then fail with a generic
 * error ("Connection is closed", "max retries"): this says what happened.
 */
export function connectionProblem(redis: RedisConnection): { error: Error; everConnected: boolean } | undefined {
  const error = problems.get(redis);
  return error === undefined ? undefined : { error, everConnected: everReady.has(redis) };
}

/** What the URL does not say about the connection: TLS options (files read now) and the credentials, the password from the URL or its file. */
export function transportOptions(target: RedisTarget, access: RedisAccess): { tls?: ConnectionOptions; username?: string; password?: string } {
  const files = access.redisTls;
  const named = files !== undefined && (files.ca ?? files.cert ?? files.key) !== undefined;
  if (named && !target.tls) {
    throw new RedisTargetError(`${redact(access.redis)}: TLS files are set (redisTls, TABSTREAM_REDIS_CA/_CERT/_KEY) but the URL is plaintext: use rediss://, rediss-cluster:// or rediss-sentinel://`);
  }
  let password = target.password;
  if (access.redisPasswordFile !== undefined) {
    if (password !== undefined) throw new RedisTargetError(`${redact(access.redis)}: the URL carries a password and redisPasswordFile names another: give one`);
    password = readSecret(access.redisPasswordFile);
  }
  if (target.username !== undefined && password === undefined) {
    // ioredis would not log in at all, and every command would run as Redis's `default` user instead.
    throw new RedisTargetError(`${redact(access.redis)}: names the user ${target.username} but no password: put it in the URL (TABSTREAM_REDIS, the config file) or in a file (redisPasswordFile, TABSTREAM_REDIS_PASSWORD_FILE)`);
  }
  return {
    ...(target.tls && { tls: tlsOptions(files ?? {}) }),
    ...(target.username !== undefined && { username: target.username }),
    ...(password !== undefined && { password }),
  };
}

function tlsOptions(files: RedisTlsFiles): ConnectionOptions {
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new RedisTargetError(`could not read the Redis TLS ${what} ${path}: ${(err as Error).message}`);
    }
  };
  return {
    ...(files.ca !== undefined && { ca: read(files.ca, 'CA') }),
    ...(files.cert !== undefined && { cert: read(files.cert, 'certificate') }),
    ...(files.key !== undefined && { key: read(files.key, 'key') }),
  };
}

function readSecret(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new RedisTargetError(`could not read the Redis password file ${path}: ${(err as Error).message}`);
  }
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new RedisTargetError(`the Redis password file ${path} is empty`);
  return password;
}

// Reconnect soon after Redis is back (ioredis' default waits up to 2 s between tries).
const reconnectDelay = (times: number): number => Math.min(times * 100, 1000);

type Transport = ReturnType<typeof transportOptions>;

function connect(target: RedisTarget, transport: Transport, timeoutMs: number, maxRetriesPerRequest: number): RedisConnection {
  // No CLIENT SETINFO on connecting (Redis 7.2+): one command fewer that an ACL user must be granted.
  const timeouts = { commandTimeout: timeoutMs, connectTimeout: timeoutMs, maxRetriesPerRequest, disableClientInfo: true };
  switch (target.kind) {
    case 'server':
      // The URL holds no credentials (parseRedisTarget took them out): they and TLS come from `transport`.
      return new Redis(target.url, { ...timeouts, ...transport, retryStrategy: reconnectDelay });
    case 'sentinel':
      return new Redis({
        ...timeouts,
        ...transport,
        // rediss-sentinel://: TLS to the Sentinels and to the master they name.
        ...(transport.tls && { sentinelTLS: transport.tls, enableTLSForSentinelMode: true }),
        sentinels: target.sentinels,
        name: target.masterName,
        sentinelCommandTimeout: timeoutMs,
        // Sentinels tell subscribers of a new master at once, instead of after the old one's connection fails.
        failoverDetector: true,
        retryStrategy: reconnectDelay,
        sentinelRetryStrategy: reconnectDelay,
      });
    case 'cluster':
      return new TimedCluster(timeoutMs, target.nodes, {
        redisOptions: { ...timeouts, ...transport },
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
