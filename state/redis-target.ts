/**
 * Where Tabstream's state lives, as the `redis` setting names it:
 *
 * - `redis://[user:password@]host:port[/db]`: one server; `rediss://` the same over TLS.
 * - `redis-cluster://[user:password@]host:port,host:port,...`: a Redis
 *   Cluster, found through any of these seed nodes; `rediss-cluster://` over TLS.
 * - `redis-sentinel://[user:password@]host:port,host:port,.../<master name>`:
 *   the master a group of Sentinels names, followed through failovers (the
 *   credentials are the data nodes'; the Sentinels are asked without);
 *   `rediss-sentinel://` speaks TLS to the Sentinels and the data nodes.
 *
 * The scheme alone says whether the connection is TLS: the `redisTls`
 * setting gives the files (CA, client certificate) and never turns TLS on.
 * Credentials are taken out of every URL (`url` of a server never holds
 * them), so a target can be printed; `redact` hides a password in a URL.
 */
export type RedisTarget =
  | ({ kind: 'server'; url: string } & Transport)
  | ({ kind: 'cluster'; nodes: HostPort[] } & Transport)
  | ({ kind: 'sentinel'; sentinels: HostPort[]; masterName: string } & Transport);

interface Transport {
  tls: boolean;
  username?: string;
  password?: string;
}

export interface HostPort {
  host: string;
  port: number;
}

export class RedisTargetError extends Error {
  override name = 'RedisTargetError';
}

const SCHEME = /^(rediss?)(-cluster|-sentinel)?:\/\//i;
const SCHEMES = 'redis://, rediss://, redis-cluster://, rediss-cluster://, redis-sentinel:// or rediss-sentinel://';

export function parseRedisTarget(url: string): RedisTarget {
  const scheme = SCHEME.exec(url);
  if (scheme === null) throw new RedisTargetError(`${redact(url)}: not a Redis URL (${SCHEMES})`);
  const tls = scheme[1]!.toLowerCase() === 'rediss';
  const shape = scheme[2]?.toLowerCase();
  const { credentials, hosts, path } = splitUrl(url.slice(scheme[0].length));
  if (shape === '-cluster') {
    if (path !== '') throw new RedisTargetError(`${redact(url)}: a Redis Cluster URL names seed nodes only (no /path; a cluster has one database)`);
    return { kind: 'cluster', nodes: hostList(hosts, 6379, url), tls, ...credentials };
  }
  if (shape === '-sentinel') {
    const master = path.replace(/^\//, '');
    if (master === '') throw new RedisTargetError(`${redact(url)}: a Sentinel URL ends with /<master name>`);
    return { kind: 'sentinel', sentinels: hostList(hosts, 26379, url), masterName: decodeURIComponent(master), tls, ...credentials };
  }
  return { kind: 'server', url: `${scheme[0]}${hosts}${path}`, tls, ...credentials };
}

/** `user:password@hosts/path?query` (after the scheme): the decoded credentials, the hosts, and the rest from the first `/` or `?` on. */
function splitUrl(rest: string): { credentials: { username?: string; password?: string }; hosts: string; path: string } {
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  const path = end < 0 ? '' : rest.slice(end);
  const at = authority.lastIndexOf('@');
  const credentials: { username?: string; password?: string } = {};
  if (at < 0) return { credentials, hosts: authority, path };
  const userinfo = authority.slice(0, at);
  const colon = userinfo.indexOf(':');
  const username = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
  if (colon >= 0) credentials.password = decodeURIComponent(userinfo.slice(colon + 1));
  if (username !== '') credentials.username = username;
  return { credentials, hosts: authority.slice(at + 1), path };
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

/** The servers a target names to connect to first: the one server, the cluster's seeds, or the Sentinels. */
export function firstContacts(target: RedisTarget): HostPort[] {
  if (target.kind === 'cluster') return target.nodes;
  if (target.kind === 'sentinel') return target.sentinels;
  const { hostname, port } = new URL(target.url);
  return [{ host: hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(port || 6379) }];
}

/** Whether a `redis` URL carries a password (`user:password@`, `:password@`). */
export function hasPassword(url: string): boolean {
  return USERINFO.exec(url)?.[2]?.includes(':') ?? false;
}

const USERINFO = /^([a-z-]+:\/\/)([^/?#]*)@/i;

/** The URL without its password (the user stays), for messages and logs. */
export function redact(url: string): string {
  return url.replace(USERINFO, (whole, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon < 0 ? whole : `${scheme}${userinfo.slice(0, colon)}:***@`;
  });
}
