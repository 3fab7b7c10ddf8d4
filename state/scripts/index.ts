import { readFileSync } from 'node:fs';
import type { RedisConnection } from '../redis-client';

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
  /** scan-fields.lua: 1 key (a hash), ARGV cursor, MATCH pattern, COUNT: one HSCAN page's field names. */
  tsScanFields: { file: 'scan-fields', numberOfKeys: 1 },
} as const;

type ScriptName = keyof typeof SCRIPTS;

/** An ioredis client with the state store's scripts defined on it. */
export type RedisWithStateScripts = RedisConnection & {
  [name in ScriptName]: (...keysThenArgs: Array<string | Buffer>) => Promise<unknown>;
};

const sources = new Map<ScriptName, string>();

function scriptSource(name: ScriptName): string {
  let lua = sources.get(name);
  if (lua === undefined) {
    lua = readFileSync(new URL(`./${SCRIPTS[name].file}.lua`, import.meta.url), 'utf8');
    sources.set(name, lua);
  }
  return lua;
}

/** Defines the scripts on `redis` once; safe to call for every store sharing a client. */
export function withStateScripts(redis: RedisConnection): RedisWithStateScripts {
  const target = redis as RedisWithStateScripts;
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
    if (typeof (target as unknown as Record<string, unknown>)[name] !== 'function') {
      redis.defineCommand(name, { lua: scriptSource(name), numberOfKeys: SCRIPTS[name].numberOfKeys });
    }
  }
  return target;
}
