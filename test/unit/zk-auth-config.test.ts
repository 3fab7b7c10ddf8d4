// ZooKeeper digest credentials: where they come from (a flag naming a file,
// the environment, the config file), what is refused, and that the secret
// shows in no message, JSON or inspection of the config.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../topology/config';
import { ZkDigestAuth } from '../../topology/coordination/zk-auth';
import { ZkAuthFailedError, ZkNoAuthError, mapZkError } from '../../topology/coordination/zk-errors';
import { securedAcl } from '../../topology/coordination/zk-client';

const SECRET = 'Pa55:w0rd-unit';
const dir = mkdtempSync(join(tmpdir(), 'tabstream-zk-auth-'));
const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const configFile = (zkAuth: unknown) => file(`config-${Math.random().toString(36).slice(2)}.json`, JSON.stringify({ zkAuth }));

describe('zkAuth settings', () => {
  it('are absent unless asked for: open znodes, as before', () => {
    expect(resolveConfig({}, {}).zkAuth).toBeUndefined();
  });

  it('come from --zk-credentials-file, else the environment, else the config file', () => {
    const flagFile = file('flag', `from-flag:${SECRET}\n`);
    const envFile = file('env', `from-env-file:${SECRET}`);
    const inFile = configFile({ scheme: 'digest', credentials: `from-config:${SECRET}` });
    const viaFile = configFile({ scheme: 'digest', credentialsFile: file('cfg', `from-config-file:${SECRET}\n`) });
    expect(resolveConfig({ config: inFile }, {}).zkAuth!.user).toBe('from-config');
    expect(resolveConfig({ config: viaFile }, {}).zkAuth!.user).toBe('from-config-file');
    expect(resolveConfig({ config: inFile }, { TABSTREAM_ZK_CREDENTIALS: `from-env:${SECRET}` }).zkAuth!.user).toBe('from-env');
    expect(resolveConfig({ config: inFile }, { TABSTREAM_ZK_CREDENTIALS_FILE: envFile }).zkAuth!.user).toBe('from-env-file');
    expect(resolveConfig({ config: inFile, zkCredentialsFile: flagFile }, { TABSTREAM_ZK_CREDENTIALS_FILE: envFile }).zkAuth!.user).toBe('from-flag');
    // The file's "zkAuth": {} says auth is on; the environment gives the secret.
    expect(resolveConfig({ config: configFile({ scheme: 'digest' }) }, { TABSTREAM_ZK_CREDENTIALS: `u:${SECRET}` }).zkAuth!.user).toBe('u');
    // The password is everything after the first colon, read as given (a file's trailing newline aside).
    expect(resolveConfig({ zkCredentialsFile: flagFile }, {}).zkAuth!.authData().toString()).toBe(`from-flag:${SECRET}`);
  });

  it('refuse what is unclear or malformed, in one line that never shows the secret', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => resolveConfig({ config: configFile({ scheme: 'sasl', credentials: `u:${SECRET}` }) }, {}), /zkAuth.scheme must be "digest", got "sasl"/],
      [() => resolveConfig({ config: configFile({ credentials: `u:${SECRET}`, credentialsFile: '/x' }) }, {}), /credentials or credentialsFile, not both/],
      [() => resolveConfig({ config: configFile({ scheme: 'digest' }) }, {}), /zkAuth needs credentials/],
      [() => resolveConfig({ config: configFile(`u:${SECRET}`) }, {}), /zkAuth must be an object/],
      [() => resolveConfig({}, { TABSTREAM_ZK_CREDENTIALS: `u:${SECRET}`, TABSTREAM_ZK_CREDENTIALS_FILE: '/x' }), /not both/],
      [() => resolveConfig({}, { TABSTREAM_ZK_CREDENTIALS: SECRET.replace(':', '') }), /from TABSTREAM_ZK_CREDENTIALS must be user:password/],
      [() => resolveConfig({}, { TABSTREAM_ZK_CREDENTIALS: `:${SECRET}` }), /must be user:password/],
      [() => resolveConfig({}, { TABSTREAM_ZK_CREDENTIALS: 'user:' }), /must be user:password/],
      [() => resolveConfig({ zkCredentialsFile: file('two-lines', `u:${SECRET}\nmore`) }, {}), /must be one line/],
      [() => resolveConfig({ zkCredentialsFile: join(dir, 'missing') }, {}), /cannot read the credentials file .*missing: ENOENT/],
    ];
    for (const [fn, message] of cases) {
      expect(fn).toThrow(message);
      // Thrown, but never with the secret in it, nor over more than one line.
      for (const shown of [SECRET, SECRET.replace(':', ''), '\n']) expect(fn).not.toThrow(shown);
    }
  });

  it('keep the secret out of JSON, inspection and strings of the config', () => {
    const config = resolveConfig({ config: configFile({ scheme: 'digest', credentials: `tabstream:${SECRET}` }) }, {});
    for (const shown of [JSON.stringify(config), inspect(config, { depth: 10, showHidden: true }), String(config.zkAuth), `${config.zkAuth}`]) {
      expect(shown).not.toContain(SECRET);
    }
    expect(JSON.parse(JSON.stringify(config)).zkAuth).toEqual({ scheme: 'digest', user: 'tabstream', credentials: '<redacted>' });
  });
});

describe('ZkDigestAuth', () => {
  it("derives ZooKeeper's digest id, user:base64(sha1(user:password))", () => {
    // The example of ZooKeeper's documentation (the super user with password "test").
    expect(new ZkDigestAuth('super:test', 'x').owner).toEqual({ scheme: 'digest', id: 'super:D/InIHSb7yEEbrWz8b9l71RjZJU=' });
  });

  it('secures with full rights for that identity and read for anyone', () => {
    expect(securedAcl(new ZkDigestAuth('super:test', 'x'))).toEqual([
      { scheme: 'digest', id: 'super:D/InIHSb7yEEbrWz8b9l71RjZJU=', perms: 31 }, // cdrwa
      { scheme: 'world', id: 'anyone', perms: 1 }, // r
    ]);
  });
});

describe('authorization errors', () => {
  const exception = (code: number) => Object.assign(new Error(`code ${code}`), { code });

  it('map NoAuth to one line saying what to do', () => {
    const anonymous = mapZkError(exception(-102), '/tabstream/topologies/x');
    expect(anonymous).toBeInstanceOf(ZkNoAuthError);
    expect(anonymous.message).toBe('ZooKeeper refused: not authorized to change /tabstream/topologies/x (NoAuth); set zkAuth');
    expect(mapZkError(exception(-102), '/tabstream/offsets', { access: 'read', authenticated: true }).message).toBe(
      'ZooKeeper refused: not authorized to read /tabstream/offsets (NoAuth); check zkAuth: its credentials are not those that secured it',
    );
    expect(anonymous).toMatchObject({ code: 'ZK_NO_AUTH', retriable: false, zkCode: -102 });
  });

  it('map AuthFailed to a non-retriable error naming the scheme', () => {
    const err = mapZkError(exception(-115), null, { scheme: 'digest' });
    expect(err).toBeInstanceOf(ZkAuthFailedError);
    expect(err).toMatchObject({ code: 'ZK_AUTH_FAILED', retriable: false });
    expect(err.message).toMatch(/^ZooKeeper refused to authenticate with scheme digest \(AuthFailed\)/);
  });
});
