/**
 * Where Tabstream's state lives, as the `redis` setting names it:
 *
 * - `redis://[user:password@]host:port[/db]` (or `rediss://`): one server.
 * - `redis-cluster://[user:password@]host:port,host:port,...`: a Redis
 *   Cluster, found through any of these seed nodes.
 * - `redis-sentinel://[user:password@]host:port,host:port,.../<master name>`:
 *   the master a group of Sentinels names, followed through failovers (the
 *   credentials are the data nodes'; the Sentinels are asked without).
 */
export type RedisTarget =
  | { kind: 'server'; url: string }
  | { kind: 'cluster'; nodes: HostPort[]; username?: string; password?: string }
  | { kind: 'sentinel'; sentinels: HostPort[]; masterName: string; username?: string; password?: string };

export interface HostPort {
  host: string;
  port: number;
}

export class RedisTargetError extends Error {
  override name = 'RedisTargetError';
}

const CLUSTER_SCHEME = 'redis-cluster://';
const SENTINEL_SCHEME = 'redis-sentinel://';

export function parseRedisTarget(url: string): RedisTarget {
  if (url.startsWith(CLUSTER_SCHEME)) {
    const { credentials, hosts, path } = splitUrl(url, CLUSTER_SCHEME);
    if (path !== '') throw new RedisTargetError(`${redact(url)}: a Redis Cluster URL names seed nodes only (no /path; a cluster has one database)`);
    return { kind: 'cluster', nodes: hostList(hosts, 6379, url), ...credentials };
  }
  if (url.startsWith(SENTINEL_SCHEME)) {
    const { credentials, hosts, path } = splitUrl(url, SENTINEL_SCHEME);
    if (path === '') throw new RedisTargetError(`${redact(url)}: a Sentinel URL ends with /<master name>`);
    return { kind: 'sentinel', sentinels: hostList(hosts, 26379, url), masterName: decodeURIComponent(path), ...credentials };
  }
  if (/^rediss?:\/\//.test(url)) return { kind: 'server', url };
  throw new RedisTargetError(`${redact(url)}: not a Redis URL (redis://, rediss://, redis-cluster:// or redis-sentinel://)`);
}

function splitUrl(url: string, scheme: string): { credentials: { username?: string; password?: string }; hosts: string; path: string } {
  let rest = url.slice(scheme.length);
  const slash = rest.indexOf('/');
  const path = slash < 0 ? '' : rest.slice(slash + 1);
  rest = slash < 0 ? rest : rest.slice(0, slash);
  const at = rest.lastIndexOf('@');
  const credentials: { username?: string; password?: string } = {};
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = userinfo.indexOf(':');
    const username = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
    if (colon >= 0) credentials.password = decodeURIComponent(userinfo.slice(colon + 1));
    if (username !== '') credentials.username = username;
  }
  return { credentials, hosts: rest, path };
}

function hostList(hosts: string, defaultPort: number, url: string): HostPort[] {
  const list = hosts.split(',').filter((h) => h !== '');
  if (list.length === 0) throw new RedisTargetError(`${redact(url)}: names no host`);
  return list.map((entry) => {
    const colon = entry.lastIndexOf(':');
    // An IPv6 address is bracketed ([::1]:7000); a bare one has colons of its own and no port.
    const bracketed = entry.startsWith('[');
    const hasPort = bracketed ? entry.includes(']:') : colon >= 0 && entry.indexOf(':') === colon;
    const host = (hasPort ? entry.slice(0, colon) : entry).replace(/^\[(.*)\]$/, '$1');
    const port = hasPort ? Number(entry.slice(colon + 1)) : defaultPort;
    if (host === '' || !Number.isInteger(port) || port <= 0 || port > 65535) throw new RedisTargetError(`${redact(url)}: ${JSON.stringify(entry)} is not host:port`);
    return { host, port };
  });
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}
