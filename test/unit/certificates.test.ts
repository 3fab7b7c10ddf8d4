// deploy/stack/certificates.ts: a CA and the certificates it signs, made with openssl.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { issueCertificate, makeCertificateAuthority } from '../../deploy/stack/certificates';
import { scratchDir } from '../support/scratch-dir';

const read = (path: string): X509Certificate => new X509Certificate(readFileSync(path));

describe('certificates', () => {
  it('a CA signs certificates for 127.0.0.1 and localhost, keys 0600, PEM throughout', async () => {
    const dir = join(scratchDir('certificates'), 'pki');
    const ca = await makeCertificateAuthority(dir);
    const server = await issueCertificate(ca, dir, 'redis', { hosts: ['127.0.0.1', 'localhost'] });
    const rsa = await issueCertificate(ca, dir, 'kafka', { hosts: ['localhost', '::1'], keyType: 'rsa', days: 2 });

    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const key of [ca.key, server.key, rsa.key]) {
      expect(statSync(key).mode & 0o777).toBe(0o600);
      expect(readFileSync(key, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/); // PKCS#8, as Kafka's PEM key store wants
    }
    const caCert = read(ca.cert);
    expect(caCert.ca).toBe(true);
    const cert = read(server.cert);
    expect(cert.ca).toBe(false);
    expect(cert.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost');
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(readFileSync(server.key)))).toBe(true);
    expect(cert.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'])); // server and client auth
    expect(read(rsa.cert).subjectAltName).toBe('DNS:localhost, IP Address:0:0:0:0:0:0:0:1');
    expect(read(rsa.cert).publicKey.asymmetricKeyType).toBe('rsa');
    expect(new Date(read(rsa.cert).validTo).getTime() - Date.now()).toBeLessThan(3 * 24 * 3600 * 1000);
    // The chain: the certificate, then the CA's.
    expect(readFileSync(server.chain, 'utf8')).toBe(readFileSync(server.cert, 'utf8') + readFileSync(ca.cert, 'utf8'));
  }, 60_000);

  it('refuses names and hosts it cannot put in a certificate', async () => {
    const dir = scratchDir('certificates');
    const ca = await makeCertificateAuthority(dir);
    await expect(issueCertificate(ca, dir, '../x')).rejects.toThrow(/certificate name '\.\.\/x' must be/);
    await expect(issueCertificate(ca, dir, 'x', { hosts: ['bad host'] })).rejects.toThrow(/'bad host' is no host name or IP address/);
    await expect(issueCertificate({ ...ca, key: join(dir, 'missing.key') }, dir, 'x')).rejects.toThrow(/^openssl x509 failed \(1\): /);
  }, 60_000);
});
