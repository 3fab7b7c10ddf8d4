import { describe, expect, it } from 'vitest';
import { gcFigures } from '../../bench/gc-figures';

describe("gcFigures: a worker's collector and CPU from its /metrics", () => {
  it('sums each kind over its series, and reads the CPU seconds', () => {
    const text = [
      '# HELP tabstream_gc_seconds_total Seconds the garbage collector took, by kind',
      'nodejs_gc_duration_seconds_sum{kind="minor"} 99',
      'tabstream_gc_seconds_total{kind="minor"} 1.25',
      'tabstream_gc_seconds_total{kind="major"} 2.5',
      'tabstream_gc_seconds_total{kind="incremental",worker="w2"} 0.5',
      'tabstream_gc_seconds_total{kind="incremental",worker="w1"} 0.25',
      'process_cpu_seconds_total 123.4',
      'process_cpu_user_seconds_total 100',
    ].join('\n');
    expect(gcFigures(text)).toEqual({ gc_s: { minor: 1.25, major: 2.5, incremental: 0.75 }, cpu_s: 123.4 });
  });

  it('gives nothing it did not find: no kinds, and NaN CPU', () => {
    const { gc_s, cpu_s } = gcFigures('');
    expect(gc_s).toEqual({});
    expect(cpu_s).toBeNaN();
  });
});
