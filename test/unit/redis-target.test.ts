import { describe, expect, it } from 'vitest';
import { firstContacts, hasPassword, parseRedisTarget, redact } from '../../state/redis-target';

describe('parseRedisTarget', () => {
  it('keeps a single server URL but for its credentials, which it takes out', () => {
    expect(parseRedisTarget('redis://127.0.0.1:6379/2')).toEqual({ kind: 'server', url: 'redis://127.0.0.1:6379/2', tls: false });
    expect(parseRedisTarget('rediss://u:p%2Fw@h:6380')).toEqual({ kind: 'server', url: 'rediss://h:6380', tls: true, username: 'u', password: 'p/w' });
    expect(parseRedisTarget('redis://worker@h:6379/0?family=6')).toEqual({ kind: 'server', url: 'redis://h:6379/0?family=6', tls: false, username: 'worker' });
    expect(parseRedisTarget('redis://:only-pw@h')).toEqual({ kind: 'server', url: 'redis://h', tls: false, password: 'only-pw' });
  });

  it('turns TLS on by the scheme alone, for every shape', () => {
    expect(parseRedisTarget('rediss-cluster://u:p@h1:7000,h2:7001')).toMatchObject({ kind: 'cluster', tls: true, username: 'u', password: 'p' });
    expect(parseRedisTarget('rediss-sentinel://s1:26379/tabstream')).toMatchObject({ kind: 'sentinel', tls: true, masterName: 'tabstream' });
    expect(parseRedisTarget('redis-cluster://h1:7000')).toMatchObject({ tls: false });
  });

  it('names the servers it contacts first', () => {
    expect(firstContacts(parseRedisTarget('rediss://u:p@[::1]:6380/1'))).toEqual([{ host: '::1', port: 6380 }]);
    expect(firstContacts(parseRedisTarget('redis://h'))).toEqual([{ host: 'h', port: 6379 }]);
    expect(firstContacts(parseRedisTarget('redis-sentinel://s1,s2:26380/m'))).toEqual([
      { host: 's1', port: 26379 },
      { host: 's2', port: 26380 },
    ]);
  });

  it('tells a URL with a password, and hides it', () => {
    expect(hasPassword('rediss://u:p@h:6380')).toBe(true);
    expect(hasPassword('redis-cluster://:p@h:1,h:2')).toBe(true);
    expect(hasPassword('redis://u@h:6379')).toBe(false);
    expect(hasPassword('redis://h:6379/0')).toBe(false);
    // An unencoded @ in the password: everything up to the last @ before the hosts is credentials.
    expect(redact('redis://u:p@ss@h:6379')).toBe('redis://u:***@h:6379');
    expect(redact('rediss-sentinel://:pw@s1,s2/m')).toBe('rediss-sentinel://:***@s1,s2/m');
    expect(redact('redis://u@h:6379')).toBe('redis://u@h:6379');
  });

  it('reads a cluster seed list, with credentials and default ports', () => {
    expect(parseRedisTarget('redis-cluster://app:s%40cret@10.0.0.1:7000,10.0.0.2,[::1]:7002')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 6379 },
        { host: '::1', port: 7002 },
      ],
      tls: false,
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
      tls: false,
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
