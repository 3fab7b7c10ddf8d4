// Commands whose arguments a RespWriter wrote, sent through ioredis as those
// bytes (ioredis' own encoding of a checkpoint's tens of thousands of
// arguments cost a worker more than this whole path, see resp-writer.ts);
// ioredis still routes them (Redis Cluster), queues them while it
// reconnects, times them out and parses their replies. A Lua script goes as
// EVALSHA, and as EVAL once when Redis answers NOSCRIPT (a new server, or one
// whose scripts were flushed), as ioredis' defineCommand does.
import { Command } from 'ioredis';
import type { RedisConnection } from './redis-client';
import type { RespWriter } from './resp-writer';

/** A Lua script by its source and SHA1 (what EVALSHA names it by). */
export interface LuaScript {
  lua: string;
  sha: string;
}

/**
 * A command sent as bytes already encoded. Its `args` are only what ioredis
 * reads to route it on Redis Cluster (the key's slot: for a script its SHA,
 * the key count and the keys) and to describe it in its debug log. Replies
 * come as Buffers (no reply encoding).
 */
export class PreEncodedCommand extends Command {
  constructor(
    name: string,
    routing: string[],
    private readonly encoded: Buffer,
  ) {
    super(name, routing);
  }

  override toWritable(): Buffer {
    return this.encoded;
  }
}

/**
 * EVALSHA `script` with `keys` and the arguments `argv` holds, which must
 * start with the key count and the keys (then the script's ARGV).
 */
export async function evalPreEncoded(redis: RedisConnection, script: LuaScript, keys: readonly string[], argv: RespWriter): Promise<unknown> {
  const routing = [String(keys.length), ...keys];
  try {
    return await redis.sendCommand(new PreEncodedCommand('evalsha', [script.sha, ...routing], argv.command('evalsha', script.sha)));
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return redis.sendCommand(new PreEncodedCommand('eval', [script.lua, ...routing], argv.command('eval', script.lua)));
  }
}
