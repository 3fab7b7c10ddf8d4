// A private certificate authority and the certificates it issues, made with
// openssl for the secure local stack (`dev up --secure`): PEM files, private
// keys readable by their owner only, each leaf valid for 127.0.0.1 and
// localhost. Nothing secret goes on a command line: passwords pass through
// files (`-passout file:`), so `ps` never shows one.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { StackError } from './errors';

const run = promisify(execFile);
const OPENSSL_TIMEOUT_MS = 30_000;
const DAYS = '825';

export interface CertificateAuthority {
  cert: string;
  key: string;
}

export interface IssuedCertificate {
  cert: string;
  key: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd, timeout: OPENSSL_TIMEOUT_MS });
  } catch (err) {
    const detail = (err as { stderr?: string }).stderr?.trim().split('\n').pop() ?? (err as Error).message;
    throw new StackError('OPENSSL_FAILED', `openssl ${args[0]} failed: ${detail}`);
  }
}

/** The CA in `dir` (ca.pem, ca-key.pem), made once; kept as it is when it exists. */
export async function certificateAuthority(dir: string): Promise<CertificateAuthority> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = { cert: join(dir, 'ca.pem'), key: join(dir, 'ca-key.pem') };
  if (existsSync(ca.cert) && existsSync(ca.key)) return ca;
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', ca.key, '-out', ca.cert, '-days', DAYS, '-subj', '/CN=Tabstream local CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  await chmod(ca.key, 0o600);
  return ca;
}

/** `<name>.pem` and `<name>-key.pem` in `dir`, issued by `ca` for 127.0.0.1 and localhost; made once. */
export async function issueCertificate(ca: CertificateAuthority, dir: string, name: string): Promise<IssuedCertificate> {
  const issued = { cert: join(dir, `${name}.pem`), key: join(dir, `${name}-key.pem`) };
  if (existsSync(issued.cert) && existsSync(issued.key)) return issued;
  const request = join(dir, `${name}.csr`);
  const extensions = join(dir, `${name}.ext`);
  await writeFile(extensions, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n');
  try {
    await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', issued.key, '-out', request, '-subj', `/CN=${name}`], dir);
    await chmod(issued.key, 0o600);
    await openssl(['x509', '-req', '-in', request, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', issued.cert, '-days', DAYS, '-extfile', extensions], dir);
  } finally {
    await rm(request, { force: true });
    await rm(extensions, { force: true });
  }
  return issued;
}

/** A PKCS#12 keystore of a certificate and its key (what a JVM reads), locked with the password in `passwordFile`; made once. */
export async function pkcs12Keystore(issued: IssuedCertificate, file: string, passwordFile: string): Promise<string> {
  if (existsSync(file)) return file;
  await openssl(['pkcs12', '-export', '-in', issued.cert, '-inkey', issued.key, '-out', file, '-passout', `file:${passwordFile}`, '-name', 'tabstream'], join(file, '..'));
  await chmod(file, 0o600);
  return file;
}
