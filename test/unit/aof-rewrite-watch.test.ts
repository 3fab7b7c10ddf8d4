// The AOF rewrite watch's reading of `INFO persistence` and its spans: pure logic, no Redis.
import { describe, expect, it } from 'vitest';
import { describeWindowRewrites, parsePersistence, redisCores, summarize } from '../../bench/aof-rewrite-watch';

const info = (rewriting: 0 | 1, size: number, enabled: 0 | 1 = 1) =>
  ['# Persistence', 'loading:0', 'current_cow_size:4096', `aof_enabled:${enabled}`, `aof_rewrite_in_progress:${rewriting}`, 'aof_rewrites:4', `aof_current_size:${size}`, 'aof_last_cow_size:8192', ''].join('\r\n');
const cpu = ['# CPU', 'used_cpu_sys:1.5', 'used_cpu_user:2.25', 'used_cpu_sys_children:0.5', 'used_cpu_user_children:6.0', ''].join('\r\n');

describe('the AOF rewrite watch', () => {
  it('reads whether a rewrite runs and the file size, and nothing with AOF off', () => {
    expect(parsePersistence(info(1, 613656109))).toMatchObject({ rewriting: true, aofBytes: 613656109 });
    expect(parsePersistence(info(0, 42))).toMatchObject({ rewriting: false, aofBytes: 42 });
    expect(parsePersistence(info(0, 42, 0))).toBeNull();
  });

  it('reads Redis’s CPU and its children’s from the cpu section, and the running child’s copy-on-write or else the last one’s', () => {
    expect(parsePersistence(info(1, 1) + cpu)).toEqual({ rewriting: true, aofBytes: 1, cpuS: 3.75, childCpuS: 6.5, cowBytes: 4096 });
    expect(parsePersistence(info(0, 1) + cpu)).toMatchObject({ cpuS: 3.75, childCpuS: 6.5, cowBytes: 8192 });
    expect(parsePersistence(info(0, 1))!.cpuS).toBeNaN();
  });

  it('splits Redis’s CPU into cores while a rewrite ran and otherwise, and counts the children’s CPU and the most copied on write', () => {
    const at = (atS: number, rewriting: boolean, cpuS: number, childCpuS: number, cowBytes = 0) => ({ atS, rewriting, aofBytes: 0, cpuS, childCpuS, cowBytes });
    const samples = [
      at(0, false, 10, 1),
      at(1, false, 10.3, 1), // 0.3 cores
      at(2, true, 11.1, 1, 50 * 2 ** 20), // rewriting at this end: 0.8
      at(3, true, 12.1, 1, 120 * 2 ** 20), // 1.0
      at(4, false, 12.7, 8, 100 * 2 ** 20), // rewriting at the start: 0.6; the child exited, 7 CPU-s
      at(6, false, 13.3, 8), // 0.3 over 2 s
    ];
    const cores = redisCores(samples);
    expect(cores.rewriting).toBeCloseTo((0.8 + 1.0 + 0.6) / 3, 9);
    expect(cores.otherwise).toBeCloseTo((0.3 + 0.6) / 3, 9);
    expect(cores.childCpuS).toBeCloseTo(7, 9);
    expect(cores.cowMiB).toBe(120);
    expect(redisCores([at(0, false, Number.NaN, Number.NaN)])).toEqual({ rewriting: undefined, otherwise: undefined, childCpuS: 0, cowMiB: 0 });
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

describe('describeWindowRewrites', () => {
  it('says when rewrites ran against the measured window, and when there were none or no AOF', () => {
    expect(describeWindowRewrites(null)).toBe('Redis keeps no AOF');
    expect(describeWindowRewrites([])).toBe('no Redis AOF rewrite');
    expect(describeWindowRewrites([{ from_s: -3.2, to_s: 1.6 }, { from_s: 20.4, to_s: 25 }])).toBe(
      'Redis AOF rewrites at -3–2 s, 20–25 s of the window (negative: in the warm-up)',
    );
  });
});
