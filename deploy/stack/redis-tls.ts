// The stack's Redis over TLS (a stack with `redisTls`): a certificate
// authority of the stack's own, a server certificate for 127.0.0.1 and
// localhost, and a client certificate, made once with openssl in <dir>/tls/;
// the settings that make redis-server speak TLS only on its port.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { StackError } from './errors';
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

const OPENSSL_TIMEOUT_MS = 20_000;
/** Days the certificates are valid; made again once expired (the stack's CA with them: clients take the new ca.crt). */
const VALID_DAYS = 825;
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

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
 * Makes the stack's CA and certificates unless they are there and valid for
 * another day: into a scratch directory, then renamed into place, so that a
 * half-made set is never used. The keys are readable by their owner only.
 */
export async function ensureRedisCertificates(layout: StackLayout): Promise<RedisTlsFiles> {
  const files = redisTlsFiles(layout);
  if (await stillValid(files)) return files;
  await mkdir(layout.dir, { recursive: true });
  const scratch = await mkdtemp(join(layout.dir, 'tls-new-'));
  try {
    const at = (file: string): string => join(scratch, file.slice(files.dir.length + 1));
    await openssl(['req', '-x509', ...EC_KEY, '-keyout', at(files.caKey), '-out', at(files.ca), '-days', String(VALID_DAYS), '-subj', '/CN=Tabstream local stack CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    // Redis presents its server certificate to its replicas and cluster peers as a client too.
    await leaf(at, files, 'redis', '/CN=localhost', ['subjectAltName=IP:127.0.0.1,DNS:localhost', 'extendedKeyUsage=serverAuth,clientAuth'], scratch);
    await leaf(at, files, 'client', '/CN=tabstream-client', ['extendedKeyUsage=clientAuth'], scratch);
    for (const key of [files.caKey, files.serverKey, files.clientKey]) await chmod(at(key), 0o600);
    await rm(files.dir, { recursive: true, force: true });
    await rename(scratch, files.dir);
    return files;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A key and a certificate signed by the stack's CA, with `extensions` (openssl x509 -extfile lines). */
async function leaf(at: (file: string) => string, files: RedisTlsFiles, name: 'redis' | 'client', subject: string, extensions: string[], scratch: string): Promise<void> {
  const key = at(name === 'redis' ? files.serverKey : files.clientKey);
  const cert = at(name === 'redis' ? files.serverCert : files.clientCert);
  const csr = join(scratch, `${name}.csr`);
  const extfile = join(scratch, `${name}.ext`);
  await writeFile(extfile, `${extensions.join('\n')}\n`);
  await openssl(['req', ...EC_KEY, '-keyout', key, '-out', csr, '-subj', subject]);
  const serial = `0x${randomBytes(16).toString('hex')}`;
  await openssl(['x509', '-req', '-in', csr, '-CA', at(files.ca), '-CAkey', at(files.caKey), '-set_serial', serial, '-days', String(VALID_DAYS), '-out', cert, '-extfile', extfile]);
  await rm(extfile, { force: true });
  await rm(csr, { force: true });
}

async function stillValid(files: RedisTlsFiles): Promise<boolean> {
  try {
    for (const file of [files.ca, files.serverCert, files.serverKey, files.clientCert, files.clientKey]) await stat(file);
    // -checkend: fails when the certificate expires within the next day.
    await openssl(['x509', '-in', files.serverCert, '-noout', '-checkend', '86400']);
    await openssl(['x509', '-in', files.ca, '-noout', '-checkend', '86400']);
    return true;
  } catch {
    return false;
  }
}

async function openssl(args: string[]): Promise<void> {
  try {
    await promisify(execFile)('openssl', args, { timeout: OPENSSL_TIMEOUT_MS });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new StackError('OPENSSL_MISSING', 'openssl is not on PATH: the stack needs it to make its Redis TLS certificates (apt-get install openssl)');
    throw new StackError('OPENSSL_FAILED', `openssl ${args[0]} failed making the Redis TLS certificates: ${(e.stderr ?? e.message).trim().split('\n').pop()}`);
  }
}

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
