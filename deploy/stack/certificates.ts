// A certificate authority of its own and the certificates it signs, made with
// the openssl command line: for `topology serve --tls-cert`, and for a local
// stack whose Kafka, ZooKeeper and Redis speak TLS. Everything is PEM (what
// Node, Redis and Kafka's `ssl.keystore.type=PEM` read); private keys are
// PKCS#8, written 0600 and never through a file that others could read first.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { StackError } from './errors';
import { runCommand } from './run-command';

/** A CA: its certificate (what clients trust) and its private key (what signs), file paths. */
export interface CertificateAuthority {
  /** The CA's certificate, PEM: give it as the `ca` to trust. */
  cert: string;
  /** Its private key, PEM (mode 0600). */
  key: string;
  /** The CA's common name. */
  name: string;
}

/** A certificate the CA issued, and its key, file paths. */
export interface IssuedCertificate {
  /** The certificate, PEM. */
  cert: string;
  /** Its private key, PEM, PKCS#8, unencrypted (mode 0600). */
  key: string;
  /** The certificate followed by the CA's: for a server that sends its chain. */
  chain: string;
  /** The certificate of the CA that signed it. */
  ca: string;
  name: string;
}

export interface CertificateOptions {
  /** Days it is valid, from now (default 365). */
  days?: number;
  /** `ec` (P-256, the default: made in milliseconds) or `rsa` (2048 bits). */
  keyType?: 'ec' | 'rsa';
}

export interface IssueOptions extends CertificateOptions {
  /** Host names and IP addresses it is valid for: its subjectAltName (default 127.0.0.1 and localhost). */
  hosts?: string[];
}

/** How long one openssl call may take before it is killed. */
const OPENSSL_WITHIN_MS = 20_000;

/** Runs openssl with `args`; resolves with its stdout. Its failure is one line: openssl's last line of stderr (OPENSSL_MISSING when it is not installed). */
async function openssl(args: string[]): Promise<string> {
  const run = await runCommand('openssl', args, { deadlineMs: OPENSSL_WITHIN_MS }).catch((err: unknown) => {
    throw new StackError('OPENSSL_MISSING', `openssl could not run (${(err as Error).message}): the stack needs it to make its certificates (apt-get install openssl)`);
  });
  if (run.code === 0) return run.stdout;
  const last = run.stderr.trim().split('\n').at(-1) ?? '';
  const how = run.timedOut ? `did not finish within ${OPENSSL_WITHIN_MS / 1000} s` : `failed (${run.code ?? run.signal})`;
  throw new StackError('OPENSSL_FAILED', `openssl ${args[0]} ${how}${last ? `: ${last}` : ''}`);
}

/** Whether `cert` is still valid `seconds` from now (openssl x509 -checkend); false for a file that is not a certificate. */
export async function validFor(cert: string, seconds: number): Promise<boolean> {
  return openssl(['x509', '-in', cert, '-noout', '-checkend', String(seconds)]).then(
    () => true,
    (err: unknown) => {
      if (err instanceof StackError && err.code === 'OPENSSL_MISSING') throw err;
      return false;
    },
  );
}

/** A new private key, PKCS#8 PEM, written to `path` with mode 0600 (openssl prints it; it never lands in a file of another mode). */
async function writePrivateKey(path: string, keyType: 'ec' | 'rsa'): Promise<void> {
  const pem = await openssl(keyType === 'ec' ? ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']);
  writeFileSync(path, pem, { mode: 0o600 });
  chmodSync(path, 0o600); // a file that was there keeps its mode through writeFileSync
}

/** `name` as a file name and a subject common name: plain characters only. */
function checkName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) throw new Error(`certificate name '${name}' must be 1..64 chars of [A-Za-z0-9_.-]`);
  return name;
}

/** A random serial number, as `req -x509` makes by itself (`x509 -req` needs one given, or a serial file). */
const serial = (): string => `0x${randomBytes(16).toString('hex')}`;

/**
 * A new CA in `dir` (made 0700 if missing): `<name>.pem` and `<name>.key`
 * (default name `ca`). It may sign certificates and nothing else.
 */
export async function makeCertificateAuthority(dir: string, opts: CertificateOptions & { name?: string } = {}): Promise<CertificateAuthority> {
  const name = checkName(opts.name ?? 'ca');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  await writePrivateKey(key, opts.keyType ?? 'ec');
  await openssl([
    'req', '-x509', '-new', '-key', key, '-sha256', '-days', String(opts.days ?? 365), '-subj', `/CN=Tabstream local CA ${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-addext', 'subjectKeyIdentifier=hash',
    '-out', cert,
  ]);
  return { cert, key, name };
}

/**
 * A certificate for `name` signed by `ca`, in `dir`: `<name>.pem`,
 * `<name>.key` and `<name>-chain.pem`. Valid for `hosts` (IP addresses and
 * DNS names in its subjectAltName, what clients check), and for both server
 * and client authentication, so one certificate serves a broker's listener
 * and its mutual TLS to another broker or a client.
 */
export async function issueCertificate(ca: CertificateAuthority, dir: string, name: string, opts: IssueOptions = {}): Promise<IssuedCertificate> {
  checkName(name);
  const hosts = opts.hosts ?? ['127.0.0.1', 'localhost'];
  if (hosts.length === 0) throw new Error(`certificate ${name}: give at least one host`);
  const altNames = hosts.map((h) => {
    if (isIP(h) !== 0) return `IP:${h}`;
    if (!/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/.test(h)) throw new Error(`certificate ${name}: '${h}' is no host name or IP address`);
    return `DNS:${h}`;
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  await writePrivateKey(key, opts.keyType ?? 'ec');
  await openssl(['req', '-new', '-key', key, '-subj', `/CN=${name}`, '-out', csr]);
  writeFileSync(
    ext,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth,clientAuth',
      `subjectAltName=${altNames.join(',')}`,
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid',
      '',
    ].join('\n'),
  );
  try {
    await openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', serial(), '-sha256', '-days', String(opts.days ?? 365), '-extfile', ext, '-out', cert]);
  } finally {
    rmSync(csr, { force: true });
    rmSync(ext, { force: true });
  }
  const chain = join(dir, `${name}-chain.pem`);
  writeFileSync(chain, readFileSync(cert, 'utf8') + readFileSync(ca.cert, 'utf8'));
  return { cert, key, chain, ca: ca.cert, name };
}

/**
 * A PKCS#12 keystore of an issued certificate and its key (what a JVM
 * reads), locked with the password in `passwordFile` (openssl reads it from
 * there: it is never on a command line), mode 0600.
 */
export async function pkcs12Keystore(issued: IssuedCertificate, file: string, passwordFile: string): Promise<string> {
  await openssl(['pkcs12', '-export', '-in', issued.cert, '-inkey', issued.key, '-out', file, '-passout', `file:${passwordFile}`, '-name', issued.name]);
  chmodSync(file, 0o600);
  return file;
}
