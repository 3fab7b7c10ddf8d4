import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RedisConnection } from '../redis-client';
import type { LuaScript } from '../pre-encoded-command';

/**
 * The state store's Lua scripts, each in its own `<name>.lua` beside this
 * file (as BullMQ keeps its scripts), registered on an ioredis client with
 * `defineCommand` so ioredis sends EVALSHA and falls back to EVAL on NOSCRIPT.
 */
const SCRIPTS = {
  /** claim.lua: 1 key (meta), ARGV generation, last token. */
  tsClaim: { file: 'claim', numberOfKeys: 1 },
  /** checkpoint.lua: 5 keys (meta, states, types, dedup index, clients), ARGV per its header. */
  tsCheckpoint: { file: 'checkpoint', numberOfKeys: 5 },
  /** move-position.lua: 5 keys (meta, states, types, dedup index, clients), ARGV per its header. */
  tsMovePosition: { file: 'move-position', numberOfKeys: 5 },
} as const;

type ScriptName = keyof typeof SCRIPTS;

/** Read-only scripts, run with EVALSHA_RO / EVAL_RO (below) rather than defined on the client. */
const READ_ONLY_SCRIPTS = {
  /** scan-fields.lua: 1 key (a hash), ARGV cursor, MATCH pattern, COUNT: one HSCAN page's field names. */
  scanFields: 'scan-fields',
} as const;

/** An ioredis client with the state store's scripts defined on it. */
export type RedisWithStateScripts = RedisConnection & {
  [name in ScriptName]: (...keysThenArgs: Array<string | Buffer>) => Promise<unknown>;
};

const sources = new Map<string, string>();

function scriptSource(file: string): string {
  let lua = sources.get(file);
  if (lua === undefined) {
    lua = readFileSync(new URL(`./${file}.lua`, import.meta.url), 'utf8');
    sources.set(file, lua);
  }
  return lua;
}

/**
 * One page of scan-fields.lua: `[cursor, field names]` of an HSCAN of `key`.
 * Sent as EVALSHA_RO, or EVAL_RO when Redis does not hold the script yet: a
 * read-only ACL user may be granted these two alone, and Redis refuses a
 * write inside them whatever the user may do (ioredis' defineCommand only
 * sends EVALSHA and EVAL).
 */
export async function scanFieldsPage(redis: RedisConnection, key: string, cursor: string, match: string, count: string): Promise<[string, string[]]> {
  const lua = scriptSource(READ_ONLY_SCRIPTS.scanFields);
  const args = ['1', key, cursor, match, count];
  try {
    return (await redis.call('EVALSHA_RO', sha1(lua), ...args)) as [string, string[]];
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return (await redis.call('EVAL_RO', lua, ...args)) as [string, string[]];
  }
}

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

const scripts = new Map<ScriptName, LuaScript>();

/** A state script's source and SHA1, for a caller that encodes its arguments itself (pre-encoded-command.ts). */
export function stateScript(name: ScriptName): LuaScript {
  let script = scripts.get(name);
  if (script === undefined) {
    const lua = scriptSource(SCRIPTS[name].file);
    scripts.set(name, (script = { lua, sha: sha1(lua) }));
  }
  return script;
}

/** Defines the scripts on `redis` once; safe to call for every store sharing a client. */
export function withStateScripts(redis: RedisConnection): RedisWithStateScripts {
  const target = redis as RedisWithStateScripts;
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
    if (typeof (target as unknown as Record<string, unknown>)[name] !== 'function') {
      redis.defineCommand(name, { lua: scriptSource(SCRIPTS[name].file), numberOfKeys: SCRIPTS[name].numberOfKeys });
    }
  }
  return target;
}
