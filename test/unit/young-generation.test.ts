// Which young generation a command line asks for (bin/topology.js decides it before tsx loads).
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEMI_SPACE_MIB, semiSpaceMibOf } from '../../topology/commands/young-generation.js';

describe('semiSpaceMibOf', () => {
  it('gives worker and local the default, or what --semi-space-mib says', () => {
    expect(DEFAULT_SEMI_SPACE_MIB).toBe(32);
    expect(semiSpaceMibOf(['worker'])).toBe(32);
    expect(semiSpaceMibOf(['local', 'taba', '--name', 'x'])).toBe(32);
    expect(semiSpaceMibOf(['worker', '--id', 'w1', '--semi-space-mib', '64'])).toBe(64);
    expect(semiSpaceMibOf(['worker', '--semi-space-mib=0'])).toBe(0);
  });

  it('leaves other commands, values that are no whole number, and what follows -- alone', () => {
    expect(semiSpaceMibOf(['deploy', 'taba'])).toBeUndefined();
    expect(semiSpaceMibOf([])).toBeUndefined();
    expect(semiSpaceMibOf(['worker', '--semi-space-mib', 'lots'])).toBeUndefined();
    expect(semiSpaceMibOf(['worker', '--semi-space-mib'])).toBeUndefined();
    expect(semiSpaceMibOf(['worker', '--', '--semi-space-mib', '8'])).toBe(32);
  });
});
