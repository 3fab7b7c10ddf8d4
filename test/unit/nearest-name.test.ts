import { describe, expect, it } from 'vitest';
import { nearestName } from '../../topology/nearest-name';

describe('nearestName', () => {
  const known = ['zk', 'zkRoot', 'brokers', 'redis', 'redisPrefix', 'flushIntervalMs'];

  it('finds a misspelt, miscased or shortened name', () => {
    expect(nearestName('zkroot', known)).toBe('zkRoot');
    expect(nearestName('broker', known)).toBe('brokers');
    expect(nearestName('redisprefx', known)).toBe('redisPrefix');
    expect(nearestName('flushInterval', known)).toBe('flushIntervalMs');
  });

  it('suggests nothing when nothing is close', () => {
    expect(nearestName('metrics', known)).toBeNull();
    expect(nearestName('zz', ['ab'])).toBeNull();
    expect(nearestName('x', [])).toBeNull();
  });
});
