// Redis's credentials and TLS settings: where each comes from, what is
// refused in one line (a password in a flag, TLS files for a plaintext URL,
// two passwords), and that no message carries the password.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redisEnv, resolveConfig } from '../../topology/config';
import { transportOptions } from '../../state/redis-client';
import { parseRedisTarget } from '../../state/redis-target';

const dir = mkdtempSync(join(tmpdir(), 'tabstream-redis-security-'));
const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const SECRET = 'hunter2-s3cret';

describe('Redis security settings', () => {
  it('are absent unless asked for', () => {
    const config = resolveConfig({}, {});
    expect(config.redisTls).toBeUndefined();
    expect(config.redisPasswordFile).toBeUndefined();
  });

  it('come from the flag, else the environment, else the config file', () => {
    const config = file('config.json', JSON.stringify({ redis: 'rediss://w@h:6380', redisTls: { ca: '/file/ca.pem', key: '/file/key.pem' }, redisPasswordFile: '/file/pw' }));
    expect(resolveConfig({ config }, {})).toMatchObject({ redis: 'rediss://w@h:6380', redisTls: { ca: '/file/ca.pem', key: '/file/key.pem' }, redisPasswordFile: '/file/pw' });
    const env = { TABSTREAM_REDIS_CA: '/env/ca.pem', TABSTREAM_REDIS_CERT: '/env/cert.pem', TABSTREAM_REDIS_PASSWORD_FILE: '/env/pw' };
    expect(resolveConfig({ config }, env)).toMatchObject({ redisTls: { ca: '/env/ca.pem', cert: '/env/cert.pem', key: '/file/key.pem' }, redisPasswordFile: '/env/pw' });
    expect(resolveConfig({ config, redisCa: '/flag/ca.pem', redisPasswordFile: '/flag/pw' }, env)).toMatchObject({ redisTls: { ca: '/flag/ca.pem' }, redisPasswordFile: '/flag/pw' });
  });

  it('refuse a password in the --redis flag in one line that does not repeat it; the environment and the file may hold one', () => {
    const refused = (): unknown => resolveConfig({ redis: `rediss://worker:${SECRET}@h:6380` }, {});
    expect(refused).toThrow(/^the --redis flag carries a password, which ps shows .*TABSTREAM_REDIS_PASSWORD_FILE/);
    expect(refused).not.toThrow(new RegExp(SECRET));
    expect(() => resolveConfig({ redis: 'rediss://worker@h:6380' }, {})).not.toThrow();
    expect(resolveConfig({}, { TABSTREAM_REDIS: `rediss://worker:${SECRET}@h:6380` }).redis).toContain(SECRET);
  });

  it('hand a child process its Redis settings in the environment', () => {
    expect(redisEnv({ redis: 'rediss://w@h:1', redisTls: { ca: '/ca' }, redisPasswordFile: '/pw' })).toEqual({ TABSTREAM_REDIS: 'rediss://w@h:1', TABSTREAM_REDIS_CA: '/ca', TABSTREAM_REDIS_PASSWORD_FILE: '/pw' });
  });
});

describe('transportOptions', () => {
  const options = (redis: string, rest: { redisTls?: object; redisPasswordFile?: string } = {}) => transportOptions(parseRedisTarget(redis), { redis, ...rest });

  it('turns TLS on by the scheme, with the files given read, for every shape', () => {
    const ca = file('ca.pem', 'CA PEM');
    expect(String(options('rediss://h:6380', { redisTls: { ca } }).tls!.ca)).toBe('CA PEM');
    expect(options('rediss-cluster://h:1,h:2').tls).toEqual({});
    expect(String(options('rediss-sentinel://s:26379/m', { redisTls: { ca } }).tls!.ca)).toBe('CA PEM');
    expect(options('redis://h:6379').tls).toBeUndefined();
  });

  it('refuses TLS files for a plaintext URL, and says which file it cannot read', () => {
    expect(() => options('redis://h:6379', { redisTls: { ca: '/x' } })).toThrow(/TLS files are set .* but the URL is plaintext: use rediss:\/\//);
    expect(() => options('redis-cluster://h:1', { redisTls: { cert: '/x' } })).toThrow(/plaintext/);
    expect(() => options('rediss://h:6380', { redisTls: { ca: join(dir, 'missing.pem') } })).toThrow(/could not read the Redis TLS CA .*missing.pem/);
  });

  it('takes the password from the URL or from its file (one trailing newline dropped), not both', () => {
    expect(options(`rediss://w:${SECRET}@h:6380`)).toMatchObject({ username: 'w', password: SECRET });
    const pw = file('pw', `${SECRET}\n`);
    expect(options('rediss://w@h:6380', { redisPasswordFile: pw })).toMatchObject({ username: 'w', password: SECRET });
    expect(options('redis-sentinel://s:1/m', { redisPasswordFile: pw })).toMatchObject({ password: SECRET });
    const both = () => options(`redis://w:${SECRET}@h:6379`, { redisPasswordFile: pw });
    expect(both).toThrow(/carries a password and redisPasswordFile names another/);
    expect(both).not.toThrow(new RegExp(SECRET));
    expect(() => options('redis://h', { redisPasswordFile: file('empty', '\n') })).toThrow(/is empty/);
    expect(() => options('redis://h', { redisPasswordFile: join(dir, 'nope') })).toThrow(/could not read the Redis password file/);
    // A user without a password would not log in at all: every command would run as Redis's default user.
    expect(() => options('rediss://worker@h:6380')).toThrow(/names the user worker but no password/);
  });
});
