// Where `topology serve` finds its tokens and certificate, and when it refuses to listen.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCertificateAuthority, issueCertificate, type IssuedCertificate } from '../../deploy/stack/certificates';
import { assertMayListen, isLoopback, serveSecurity } from '../../ui/serve-security';

const dir = mkdtempSync(join(tmpdir(), 'tabstream-serve-security-'));
const tokensFile = (name: string, text: string, mode = 0o600): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
};
const names = (s: ReturnType<typeof serveSecurity>): string[] | undefined => s.tokens?.map((t) => t.name);

describe('serveSecurity: tokens', () => {
  const flagFile = tokensFile('flag', 'from-flag 0123456789abcdef0123456789abcdef\n');
  const envFile = tokensFile('env', 'from-env-file 1123456789abcdef0123456789abcdef\n');
  const configFile = tokensFile('config', 'from-config 2123456789abcdef0123456789abcdef\n');
  const inEnv = 'from-env 3123456789abcdef0123456789abcdef,other 4123456789abcdef0123456789abcdef';

  it('none configured: no authentication', () => {
    expect(serveSecurity({}, {}, undefined)).toEqual({ tokens: null, tokensFrom: null, tls: null, warnings: [] });
  });

  it('a flag wins over the environment, which wins over the config file', () => {
    const fromFile = { tokensFile: configFile };
    expect(names(serveSecurity({}, {}, fromFile))).toEqual(['from-config']);
    expect(names(serveSecurity({}, { TABSTREAM_API_TOKENS_FILE: envFile }, fromFile))).toEqual(['from-env-file']);
    expect(serveSecurity({}, { TABSTREAM_API_TOKENS: inEnv }, fromFile)).toMatchObject({ tokensFrom: 'TABSTREAM_API_TOKENS' });
    expect(names(serveSecurity({}, { TABSTREAM_API_TOKENS: inEnv }, fromFile))).toEqual(['from-env', 'other']);
    expect(names(serveSecurity({ tokensFile: flagFile }, { TABSTREAM_API_TOKENS: inEnv, TABSTREAM_API_TOKENS_FILE: envFile }, fromFile))).toEqual(['from-flag']);
    expect(serveSecurity({ tokensFile: flagFile }, {}, undefined).tokensFrom).toBe(`tokens file ${flagFile}`);
  });

  it('refuses what is ambiguous, empty or unreadable, naming the file and never a token', () => {
    expect(() => serveSecurity({}, { TABSTREAM_API_TOKENS: inEnv, TABSTREAM_API_TOKENS_FILE: envFile }, undefined)).toThrow(/both TABSTREAM_API_TOKENS_FILE and TABSTREAM_API_TOKENS/);
    expect(() => serveSecurity({ tokensFile: tokensFile('empty', '# nobody yet\n') }, {}, undefined)).toThrow(/tokens file .*empty holds no token/);
    expect(() => serveSecurity({ tokensFile: join(dir, 'missing') }, {}, undefined)).toThrow(/^tokens file \(--tokens-file\) .*missing: cannot read it: ENOENT$/);
    const bad = tokensFile('bad', 'ok 0123456789abcdef0123456789abcdef\nshort 0123456789\n');
    expect(() => serveSecurity({ tokensFile: bad }, {}, undefined)).toThrow(/^tokens file .*bad line 2: the token is shorter than 16 characters/);
  });

  it('warns when others can read the tokens file', () => {
    const open = tokensFile('open', 'a 0123456789abcdef0123456789abcdef\n', 0o644);
    expect(serveSecurity({ tokensFile: open }, {}, undefined).warnings).toEqual([`tokens file ${open} can be read by others (mode 644): chmod 600 it`]);
  });
});

describe('serveSecurity: TLS', () => {
  let cert: IssuedCertificate;
  let other: IssuedCertificate;
  beforeAll(async () => {
    const ca = await makeCertificateAuthority(join(dir, 'pki'));
    cert = await issueCertificate(ca, join(dir, 'pki'), 'serve');
    other = await issueCertificate(ca, join(dir, 'pki'), 'other');
  }, 60_000);

  it('reads the certificate and key from flags, else the environment, else the config file', () => {
    const fromFile = { tls: { cert: cert.cert, key: cert.key } };
    expect(serveSecurity({}, {}, fromFile).tls).not.toBeNull();
    const env = { TABSTREAM_SERVE_TLS_CERT: cert.cert, TABSTREAM_SERVE_TLS_KEY: cert.key };
    expect(serveSecurity({}, env, undefined).tls?.cert.toString()).toContain('BEGIN CERTIFICATE');
    // The flag's pair wins: the environment's other key would not match its certificate.
    expect(serveSecurity({ tlsCert: other.cert, tlsKey: other.key }, env, undefined).tls?.key.toString()).toContain('BEGIN PRIVATE KEY');
  });

  it('refuses half a pair, a mismatched pair and unreadable files', () => {
    expect(() => serveSecurity({ tlsCert: cert.cert }, {}, undefined)).toThrow(/^TLS needs both a certificate and its key: --tls-cert given, no --tls-key/);
    expect(() => serveSecurity({}, { TABSTREAM_SERVE_TLS_KEY: cert.key }, undefined)).toThrow(/TABSTREAM_SERVE_TLS_KEY given, no --tls-cert/);
    expect(() => serveSecurity({ tlsCert: cert.cert, tlsKey: other.key }, {}, undefined)).toThrow(/do not make a certificate and its key/);
    expect(() => serveSecurity({ tlsCert: join(dir, 'nope.pem'), tlsKey: cert.key }, {}, undefined)).toThrow(/^TLS certificate \(--tls-cert\) .*nope\.pem: cannot read it: ENOENT$/);
  });
});

describe('isLoopback and assertMayListen', () => {
  it('knows loopback addresses in every spelling', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::FFFF:7f00:1']) expect(isLoopback(a), a).toBe(true);
    for (const a of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', '::ffff:10.0.0.1', 'fe80::1', 'fe80::1%lo', '128.0.0.1', 'localhost']) expect(isLoopback(a), a).toBe(false);
  });

  it('refuses a non-loopback address without tokens, unless told --insecure-no-auth', async () => {
    await expect(assertMayListen('0.0.0.0', false, false)).rejects.toThrow(
      /^--host 0\.0\.0\.0 is not loopback and no API token is configured: give tokens \(--tokens-file, .*\), bind 127\.0\.0\.1, or pass --insecure-no-auth$/,
    );
    await expect(assertMayListen('::', false, false)).rejects.toThrow(/not loopback/);
    await assertMayListen('0.0.0.0', true, false);
    await assertMayListen('0.0.0.0', false, true);
    await assertMayListen('127.0.0.1', false, false);
    await assertMayListen('::1', false, false);
    await assertMayListen('localhost', false, false); // resolved: every address it gives is loopback
  });
});
