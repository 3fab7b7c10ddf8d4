// The AOF rewrite watch's reading of `INFO persistence` and its spans: pure logic, no Redis.
import { describe, expect, it } from 'vitest';
import { parsePersistence, summarize } from '../../bench/aof-rewrite-watch';

const info = (rewriting: 0 | 1, size: number, enabled: 0 | 1 = 1) =>
  ['# Persistence', 'loading:0', `aof_enabled:${enabled}`, `aof_rewrite_in_progress:${rewriting}`, 'aof_rewrites:4', `aof_current_size:${size}`, ''].join('\r\n');

describe('the AOF rewrite watch', () => {
  it('reads whether a rewrite runs and the file size, and nothing with AOF off', () => {
    expect(parsePersistence(info(1, 613656109))).toEqual({ rewriting: true, aofBytes: 613656109 });
    expect(parsePersistence(info(0, 42))).toEqual({ rewriting: false, aofBytes: 42 });
    expect(parsePersistence(info(0, 42, 0))).toBeNull();
  });

  it('spans each rewrite from the first poll that saw it to the first that saw it done, and counts growth across the shrink', () => {
    const samples = [
      { atS: 0, rewriting: false, aofBytes: 100 },
      { atS: 1, rewriting: true, aofBytes: 150 },
      { atS: 2, rewriting: true, aofBytes: 200 },
      { atS: 3, rewriting: false, aofBytes: 60 }, // rewritten: the file shrank
      { atS: 4, rewriting: false, aofBytes: 90 },
      { atS: 5, rewriting: true, aofBytes: 95 }, // still running when the watch ended
    ];
    expect(summarize(samples)).toEqual({
      rewrites: [
        { from_s: 1, to_s: 3 },
        { from_s: 5, to_s: 5 },
      ],
      appendedBytes: 50 + 50 + 30 + 5,
    });
  });
});
