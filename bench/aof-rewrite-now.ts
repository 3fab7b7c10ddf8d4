// Rewrites Redis's append-only file now and waits for it: the taba-full run
// starts where a long-running Redis stands just after a rewrite, its file's
// base as large as its data. Redis rewrites each time the file has grown by
// `auto-aof-rewrite-percentage` (100) over that base; after the bench's
// preload the base was whatever the file held at a rewrite partway through
// it, so two rewrites (a forked child on one of the two cores for ~10 s each)
// fell inside the first minute of the run, where a Redis holding this data
// rewrites about once a minute and a quarter at the run's write rate.
import type { Redis } from 'ioredis';
import { parsePersistence } from './aof-rewrite-watch';

const POLL_MS = 250;

/** Seconds the rewrite took; null when Redis keeps no append-only file. Throws if it does not end within `timeoutMs`. */
export async function rewriteAofNow(redis: Redis, timeoutMs: number): Promise<number | null> {
  const started = Date.now();
  if (parsePersistence(await redis.info('persistence')) === null) return null;
  // Refused while a rewrite is under way: that one is waited for instead (its base is nearly all the data).
  await redis.bgrewriteaof().catch(() => undefined);
  for (;;) {
    const info = await redis.info('persistence');
    const scheduled = /aof_rewrite_scheduled:1/.test(info);
    if (!parsePersistence(info)!.rewriting && !scheduled) return (Date.now() - started) / 1000;
    if (Date.now() - started > timeoutMs) throw new Error(`Redis's AOF rewrite did not end within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
