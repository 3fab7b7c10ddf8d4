/**
 * Least-privilege Redis ACL users for Tabstream (docs/security.md), as data:
 * the rules of `ACL SETUSER`, each command with the reason it is there. The
 * tests create these users; an operator pastes what `aclSetUserCommand`
 * prints, or sends `aclSetUserArgs` from a client.
 *
 * - `worker`: workers, and the commands that write (`deploy`, `offsets
 *   --execute`, `local`): everything `reader` may, and the writes.
 * - `reader`: `serve`, `query`, `status`, `offsets` without `--execute`:
 *   reads only, on keys it may only read (`%R~`). Redis checks the user's
 *   ACL on every command a script runs too, and the one script a reader
 *   runs goes as EVALSHA_RO / EVAL_RO, which refuse any write besides.
 *
 * Both may touch only the keys of their prefix (`~ts:*`) and no Pub/Sub
 * channel. Neither has CONFIG: the worker's durability check then reads what
 * INFO tells (appendonly, the eviction policy) and warns that it could not
 * check `appendfsync` (CONFIG GET would also answer `masterauth`).
 */
export type RedisRole = 'worker' | 'reader';

/** What a reader sends: every query, status and serve read. */
const READ_COMMANDS: Record<string, string> = {
  get: 'a topology\'s partition count (ts:<T>:partitions)',
  hget: "a Tab's type in each partition",
  hmget: 'states, types, records, client counts, positions',
  hgetall: "a partition's meta (status, offsets, metrics)",
  hscan: 'walks of states and types (HSCAN ... NOVALUES on Redis 7.4 and later)',
  multi: "a Tab record and its client count read together (readRecords)",
  exec: 'ends that MULTI',
  evalsha_ro: 'scan-fields.lua, the state names of a partition on Redis before 7.4, read-only',
  eval_ro: 'the same, when Redis does not hold the script yet',
  info: "ioredis' ready check on connecting, the server version (NOVALUES), the durability check",
  ping: 'the durability check on a Redis Cluster',
  select: 'a redis:// URL naming a database (/<db>)',
  'cluster|slots': "a Redis Cluster client learning the slots' masters",
  'cluster|info': "a Redis Cluster client's ready check",
  readonly: 'ioredis marking a cluster connection whose node became a replica',
  readwrite: 'and one whose node became a master again',
  'client|setname': 'ioredis naming the connections a cluster client opens for itself (slot refresher, subscriber)',
};

/** What a worker (and `deploy`, `offsets --execute`) sends besides, and what its scripts run inside Redis. */
const WRITE_COMMANDS: Record<string, string> = {
  eval: 'claim.lua, checkpoint.lua, move-position.lua: ioredis sends a script in full once per connection',
  evalsha: 'and by its SHA after that',
  set: "deploy: the topology's partition count",
  hlen: "taking a partition up: how many states it has (and move-position.lua's count)",
  sscan: 'taking a partition up: its dedup buckets',
  zrange: 'taking a partition up: its dedup index (and inside checkpoint.lua, move-position.lua)',
  hset: 'inside the scripts: states, meta, client counts',
  hsetnx: "inside checkpoint.lua: a Tab's first type",
  hdel: 'inside the scripts: pruned states, client counts, meta fields',
  hexists: 'inside checkpoint.lua: is a client state new',
  hincrby: 'inside checkpoint.lua: events, client counts',
  hkeys: "inside move-position.lua: the meta's src:* fields",
  del: 'inside checkpoint.lua: dedup buckets left behind, client counts rebuilt',
  unlink: "inside move-position.lua: a partition's state reset",
  sadd: 'inside checkpoint.lua: event ids of a dedup bucket',
  persist: 'inside checkpoint.lua: clears the expiry older versions set on dedup buckets',
  zadd: 'inside checkpoint.lua: the dedup index',
  zrangebyscore: 'inside checkpoint.lua: dedup buckets leaving the window',
  zremrangebyscore: 'inside checkpoint.lua: the same, from the index',
};

/** The commands a role may run, each with why (for docs/security.md and a test that they are exactly what Tabstream sends). */
export function redisRoleCommands(role: RedisRole): Record<string, string> {
  return role === 'reader' ? { ...READ_COMMANDS } : { ...READ_COMMANDS, ...WRITE_COMMANDS };
}

/**
 * The rules of a role's user after `ACL SETUSER <name>`, without the
 * password: `reset` first, so applying them again replaces whatever the
 * user had (older passwords too); keys of the prefix only (read-only ones
 * for a reader); no channels; no command but the role's.
 */
export function redisAclRules(role: RedisRole, prefix = 'ts'): string[] {
  const keys = `${role === 'reader' ? '%R~' : '~'}${globEscape(prefix)}:*`;
  return ['reset', 'on', 'resetkeys', keys, 'resetchannels', '-@all', ...Object.keys(redisRoleCommands(role)).map((command) => `+${command}`)];
}

/** `ACL SETUSER` arguments (after the command) for a user of `role` with `password`. */
export function aclSetUserArgs(user: string, role: RedisRole, password: string, prefix = 'ts'): string[] {
  const rules = redisAclRules(role, prefix);
  // `>password` after `reset` and `on`: a password added to a user just reset.
  return [user, ...rules.slice(0, 2), `>${password}`, ...rules.slice(2)];
}

/** The same as one line for redis-cli, with `<password>` where the password goes. */
export function aclSetUserCommand(user: string, role: RedisRole, prefix = 'ts'): string {
  return ['ACL', 'SETUSER', ...aclSetUserArgs(user, role, '<password>', prefix)].join(' ');
}

/** `prefix` as a glob matching itself only. */
function globEscape(text: string): string {
  return text.replace(/[\\*?[\]]/g, (c) => `\\${c}`);
}
