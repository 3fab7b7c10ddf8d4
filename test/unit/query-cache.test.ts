import { describe, expect, it } from 'vitest';
import { QueryCache } from '../../ui/query-cache';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('QueryCache', () => {
  it('shares one read among callers, reads anew when the state version changes or the answer is older than its time', async () => {
    let version = 'v1';
    let reads = 0;
    const cache = new QueryCache(async () => version, 200);
    const read = async () => {
      reads++;
      await sleep(5);
      return `answer ${reads}`;
    };
    const first = await Promise.all(Array.from({ length: 20 }, () => cache.get('t', 'q', read)));
    expect(new Set(first)).toEqual(new Set(['answer 1']));
    expect(reads).toBe(1);
    expect(await cache.get('t', 'other', read)).toBe('answer 2');
    // A checkpoint landed: the version read after a tenth of the time says so.
    version = 'v2';
    await sleep(25);
    expect(await cache.get('t', 'q', read)).toBe('answer 3');
    // Past its time: read again, whatever the version.
    await sleep(210);
    expect(await cache.get('t', 'q', read)).toBe('answer 4');
    expect([cache.hits, cache.misses]).toEqual([19, 4]);
  });

  it('keeps no failed read, and holds a bounded number of answers', async () => {
    const cache = new QueryCache(async () => 'v', 10_000, 3);
    let fail = true;
    const read = async () => {
      if (fail) throw new Error('Redis down');
      return 'ok';
    };
    await expect(cache.get('t', 'q', read)).rejects.toThrow(/Redis down/);
    fail = false;
    expect(await cache.get('t', 'q', read)).toBe('ok');
    let reads = 0;
    for (const key of ['a', 'b', 'c', 'd']) await cache.get('t', key, async () => `${key}${++reads}`);
    // 'a' was the oldest of four in room for three: asked again, it is read again.
    expect(await cache.get('t', 'a', async () => `a${++reads}`)).toBe('a5');
    expect(await cache.get('t', 'd', async () => 'never')).toBe('d4');
  });

  it('fails a query when the state version cannot be read (Redis down), and tries the version again next time', async () => {
    let up = false;
    const cache = new QueryCache(async () => {
      if (!up) throw new Error('no version');
      return 'v';
    }, 1000);
    await expect(cache.get('t', 'q', async () => 'x')).rejects.toThrow(/no version/);
    up = true;
    expect(await cache.get('t', 'q', async () => 'x')).toBe('x');
  });
});
