import { describe, expect, it } from 'vitest';
import { parseRedisTarget, redact } from '../../state/redis-target';

describe('parseRedisTarget', () => {
  it('keeps a single server URL as it is', () => {
    expect(parseRedisTarget('redis://127.0.0.1:6379/2')).toEqual({ kind: 'server', url: 'redis://127.0.0.1:6379/2' });
    expect(parseRedisTarget('rediss://u:p@h:6380')).toEqual({ kind: 'server', url: 'rediss://u:p@h:6380' });
  });

  it('reads a cluster seed list, with credentials and default ports', () => {
    expect(parseRedisTarget('redis-cluster://app:s%40cret@10.0.0.1:7000,10.0.0.2,[::1]:7002')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 6379 },
        { host: '::1', port: 7002 },
      ],
      username: 'app',
      password: 's@cret',
    });
  });

  it('reads sentinels and the master name', () => {
    expect(parseRedisTarget('redis-sentinel://:pw@s1:26379,s2:26380,s3/tabstream')).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
        { host: 's3', port: 26379 },
      ],
      masterName: 'tabstream',
      password: 'pw',
    });
  });

  it('refuses what it cannot use, without printing the password', () => {
    expect(() => parseRedisTarget('redis-sentinel://u:hunter2@s1:26379')).toThrow(/ends with \/<master name>/);
    expect(() => parseRedisTarget('redis-sentinel://u:hunter2@s1:26379')).not.toThrow(/hunter2/);
    expect(() => parseRedisTarget('redis-cluster://h:1/0')).toThrow(/seed nodes only/);
    expect(() => parseRedisTarget('redis-cluster://h:notaport')).toThrow(/not host:port/);
    expect(() => parseRedisTarget('redis-cluster://')).toThrow(/names no host/);
    expect(() => parseRedisTarget('http://h:6379')).toThrow(/not a Redis URL/);
    expect(redact('redis://u:hunter2@h:6379')).toBe('redis://u:***@h:6379');
  });
});
