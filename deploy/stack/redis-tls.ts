// The stack's Redis over TLS (a stack with `redisTls`): a certificate
// authority of the stack's own, a server certificate for 127.0.0.1 and
// localhost, and a client certificate, made once with openssl in <dir>/tls/;
// the settings that make redis-server speak TLS only on its port.
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { join } from 'node:path';
import { issueCertificate, makeCertificateAuthority, validFor } from './certificates';
import type { StackLayout } from './layout';

/** The files of a stack's Redis TLS: what clients trust (`ca`) and may present (`clientCert`, `clientKey`), and the server's own. */
export interface RedisTlsFiles {
  dir: string;
  ca: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** Days the certificates are valid; made again once expired (the stack's CA with them: clients take the new ca.crt). */
const VALID_DAYS = 825;

export function redisTlsFiles(layout: StackLayout): RedisTlsFiles {
  const dir = join(layout.dir, 'tls');
  return {
    dir,
    ca: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'redis.crt'),
    serverKey: join(dir, 'redis.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
  };
}

/**
 * Makes the stack's CA and certificates (certificates.ts) unless they are
 * there and valid for another day: into a scratch directory, then renamed
 * into place, so that a half-made set is never used. The keys are readable
 * by their owner only.
 */
export async function ensureRedisCertificates(layout: StackLayout): Promise<RedisTlsFiles> {
  const files = redisTlsFiles(layout);
  if (await stillValid(files)) return files;
  await mkdir(layout.dir, { recursive: true });
  const scratch = await mkdtemp(join(layout.dir, 'tls-new-'));
  try {
    const ca = await makeCertificateAuthority(scratch, { days: VALID_DAYS });
    // Redis presents its server certificate to its replicas and cluster peers as a client too (certificates.ts issues for both).
    const server = await issueCertificate(ca, scratch, 'redis', { days: VALID_DAYS });
    const client = await issueCertificate(ca, scratch, 'client', { days: VALID_DAYS });
    // The file names clients are given (TABSTREAM_REDIS_CA=<dir>/tls/ca.crt) stay as they were.
    const at = (file: string): string => join(scratch, file.slice(files.dir.length + 1));
    await rename(ca.cert, at(files.ca));
    await rename(server.cert, at(files.serverCert));
    await rename(client.cert, at(files.clientCert));
    await rm(server.chain, { force: true });
    await rm(client.chain, { force: true });
    await rm(files.dir, { recursive: true, force: true });
    await rename(scratch, files.dir);
    return files;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function stillValid(files: RedisTlsFiles): Promise<boolean> {
  try {
    for (const file of [files.ca, files.serverCert, files.serverKey, files.clientCert, files.clientKey]) await stat(file);
  } catch {
    return false;
  }
  return (await validFor(files.serverCert, ONE_DAY_S)) && (await validFor(files.ca, ONE_DAY_S));
}

const ONE_DAY_S = 86_400;

/**
 * What redis-server changes to speak TLS only: no plaintext port, TLS on the
 * stack's Redis port, clients asked for no certificate but checked against
 * the stack's CA when they present one (`tls-auth-clients optional`).
 */
export function redisTlsSettings(files: RedisTlsFiles, port: number): Array<[string, string]> {
  return [
    ['port', '0'],
    ['tls-port', String(port)],
    ['tls-cert-file', files.serverCert],
    ['tls-key-file', files.serverKey],
    ['tls-ca-cert-file', files.ca],
    ['tls-auth-clients', 'optional'],
  ];
}

/** TLS options of a client of the stack's Redis (its readiness probe, tests): trust the stack's CA, present the client certificate. */
export function stackRedisTlsOptions(layout: StackLayout): ConnectionOptions {
  const files = redisTlsFiles(layout);
  return { ca: readFileSync(files.ca), cert: readFileSync(files.clientCert), key: readFileSync(files.clientKey) };
}
