// The secure local stack (`dev up --secure`): a private CA, certificates and
// generated passwords in <dir>/secrets/ (mode 0700, every file 0600), made
// once and kept across restarts; Kafka listening with SASL_SSL only
// (SCRAM-SHA-512, TLS from the stack's CA), its users put in ZooKeeper before
// a broker starts; and the client config file every command reads through
// TABSTREAM_CONFIG. No secret is ever on a command line or in a log line.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { issueCertificate, makeCertificateAuthority, pkcs12Keystore, type CertificateAuthority } from './certificates';
import { StackError } from './errors';
import type { StackLayout, StackPorts } from './layout';
import { zkConnectString } from './layout';
import { openZooKeeperSession } from './readiness';
import { scramUserZnode } from './scram-credential';
import type { KafkaSecurity } from '../../topology/config';
import { aclSetUserArgs, type RedisRole } from '../../state/redis-acl';
import { DEFAULT_KEY_PREFIX } from '../../state/redis-keys';

/** Kafka's users on the secure stack: the brokers' own (inter-broker), and the one every Tabstream component uses. */
export const KAFKA_BROKER_USER = 'admin';
export const KAFKA_CLIENT_USER = 'tabstream';

export interface StackSecrets {
  dir: string;
  caCert: string;
  /** The brokers' keystore (PKCS#12) and its password's file. */
  kafkaKeystore: string;
  keystorePasswordFile: string;
  kafkaBrokerPasswordFile: string;
  kafkaClientPasswordFile: string;
  /** Redis's ACL users' passwords: the stack's own (its probes, an operator's redis-cli), the workers', the readers'. */
  redisPasswordFiles: Record<keyof typeof REDIS_USERS, string>;
  /** ZooKeeper digest credentials (`tabstream:<password>`): the identity that owns Tabstream's znodes. */
  zkCredentialsFile: string;
  /** `serve`'s bearer tokens (`operator <token>`) and its certificate. */
  apiTokensFile: string;
  serveCert: string;
  serveKey: string;
}

export const secretsDir = (layout: StackLayout): string => join(layout.dir, 'secrets');

/** The client config a secure stack writes for TABSTREAM_CONFIG. */
export const secureConfigFile = (layout: StackLayout): string => join(layout.dir, 'tabstream.json');

/** Everything secret the stack needs, made on first use and kept (a restart keeps the CA, the certificates and the passwords). */
export async function stackSecrets(layout: StackLayout): Promise<StackSecrets> {
  const dir = secretsDir(layout);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const ca: CertificateAuthority = { cert: join(dir, 'ca.pem'), key: join(dir, 'ca.key'), name: 'ca' };
  if (!existsSync(ca.cert) || !existsSync(ca.key)) Object.assign(ca, await makeCertificateAuthority(dir, { days: CERTIFICATE_DAYS }));
  const keystorePasswordFile = await passwordFile(dir, 'keystore');
  const keystore = join(dir, 'kafka.p12');
  if (!existsSync(keystore)) await pkcs12Keystore(await issueCertificate(ca, dir, 'kafka', { days: CERTIFICATE_DAYS }), keystore, keystorePasswordFile);
  const serve = { cert: join(dir, 'serve.pem'), key: join(dir, 'serve.key') };
  if (!existsSync(serve.cert) || !existsSync(serve.key)) await issueCertificate(ca, dir, 'serve', { days: CERTIFICATE_DAYS });
  return {
    dir,
    caCert: ca.cert,
    kafkaKeystore: keystore,
    keystorePasswordFile,
    kafkaBrokerPasswordFile: await passwordFile(dir, `kafka-${KAFKA_BROKER_USER}`),
    kafkaClientPasswordFile: await passwordFile(dir, `kafka-${KAFKA_CLIENT_USER}`),
    redisPasswordFiles: {
      stack: await passwordFile(dir, REDIS_USERS.stack),
      worker: await passwordFile(dir, REDIS_USERS.worker),
      reader: await passwordFile(dir, REDIS_USERS.reader),
    },
    zkCredentialsFile: await secretFile(dir, 'zk-tabstream.credentials', (secret) => `${ZK_USER}:${secret}`),
    apiTokensFile: await secretFile(dir, 'api-tokens', (secret) => `${API_TOKEN_NAME} ${secret}`),
    serveCert: serve.cert,
    serveKey: serve.key,
  };
}

/**
 * Redis's users on the secure stack (Redis's `default` is off): the stack's
 * own, with every right; the workers' and the readers' least-privilege ones
 * (state/redis-acl.ts).
 */
export const REDIS_USERS = { stack: 'tabstream-stack', worker: 'tabstream-worker', reader: 'tabstream-reader' } as const;

/** The `user` lines of the secure stack's redis.conf (its config file is mode 0600: it holds the passwords). */
export async function secureRedisSettings(secrets: StackSecrets, prefix = DEFAULT_KEY_PREFIX): Promise<Array<[string, string]>> {
  const files = secrets.redisPasswordFiles;
  const role = async (user: string, kind: RedisRole, file: string): Promise<[string, string]> => [`user ${user}`, aclSetUserArgs(user, kind, await readSecret(file), prefix).slice(1).join(' ')];
  return [
    ['user default', 'off'],
    [`user ${REDIS_USERS.stack}`, `on >${await readSecret(files.stack)} ~* &* +@all`],
    await role(REDIS_USERS.worker, 'worker', files.worker),
    await role(REDIS_USERS.reader, 'reader', files.reader),
  ];
}

/** How the stack's own probes log in to its Redis. */
export async function stackRedisAuth(layout: StackLayout): Promise<{ username: string; password: string }> {
  return { username: REDIS_USERS.stack, password: await readSecret((await stackSecrets(layout)).redisPasswordFiles.stack) };
}

/** The ZooKeeper digest user that owns Tabstream's znodes on the secure stack. */
export const ZK_USER = 'tabstream';

/** The name of the one bearer token the secure stack gives `serve` (tokens file `<name> <token>`). */
export const API_TOKEN_NAME = 'operator';

/** A local stack's certificates outlive any sensible use of it. */
const CERTIFICATE_DAYS = 825;

/** `<dir>/<name>.password`: 32 random bytes, base64url, made once, readable by its owner only. */
function passwordFile(dir: string, name: string): Promise<string> {
  return secretFile(dir, `${name}.password`, (secret) => secret);
}

/** `<dir>/<name>`: a line made of 32 fresh random bytes (base64url), made once, readable by its owner only. */
async function secretFile(dir: string, name: string, line: (secret: string) => string): Promise<string> {
  const file = join(dir, name);
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, `${line(randomBytes(32).toString('base64url'))}\n`, { mode: 0o600 });
    await rename(tmp, file);
  }
  return file;
}

export async function readSecret(file: string): Promise<string> {
  return (await readFile(file, 'utf8')).trim();
}

/**
 * What a broker of the secure stack changes from the template: one SASL_SSL
 * listener (clients and brokers alike), SCRAM-SHA-512 only, its keystore,
 * and the stack's CA as truststore (a broker is its peers' TLS client).
 * Rendered into the broker's config file, which only its owner reads.
 */
export async function secureKafkaSettings(secrets: StackSecrets, port: number): Promise<Array<[string, string]>> {
  const brokerPassword = await readSecret(secrets.kafkaBrokerPasswordFile);
  return [
    ['listeners', `SASL_SSL://127.0.0.1:${port}`],
    ['advertised.listeners', `SASL_SSL://127.0.0.1:${port}`],
    ['security.inter.broker.protocol', 'SASL_SSL'],
    ['sasl.enabled.mechanisms', 'SCRAM-SHA-512'],
    ['sasl.mechanism.inter.broker.protocol', 'SCRAM-SHA-512'],
    [
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config',
      `org.apache.kafka.common.security.scram.ScramLoginModule required username="${KAFKA_BROKER_USER}" password="${brokerPassword}";`,
    ],
    ['ssl.keystore.type', 'PKCS12'],
    ['ssl.keystore.location', secrets.kafkaKeystore],
    ['ssl.keystore.password', await readSecret(secrets.keystorePasswordFile)],
    ['ssl.truststore.type', 'PEM'],
    ['ssl.truststore.location', secrets.caCert],
    ['ssl.client.auth', 'none'],
  ];
}

/**
 * Puts Kafka's SCRAM users in ZooKeeper (/config/users/<name>) before a
 * broker starts: a broker needs its own to talk to its peers. A user already
 * there is left as it is (its password is the one in secrets/).
 */
export async function ensureKafkaUsers(ports: StackPorts, secrets: StackSecrets): Promise<void> {
  const zk = await openZooKeeperSession(zkConnectString(ports), 10_000);
  if (zk === undefined) throw new StackError('SECURE_SETUP_FAILED', "could not open a ZooKeeper session to store Kafka's SCRAM users");
  try {
    const users: Array<[string, string]> = [
      [KAFKA_BROKER_USER, secrets.kafkaBrokerPasswordFile],
      [KAFKA_CLIENT_USER, secrets.kafkaClientPasswordFile],
    ];
    for (const [user, file] of users) {
      await zkCreate(zk, '/config', null);
      await zkCreate(zk, '/config/users', null);
      await zkCreate(zk, `/config/users/${user}`, Buffer.from(scramUserZnode(await readSecret(file))));
    }
  } finally {
    zk.close();
  }
}

function zkCreate(zk: NonNullable<Awaited<ReturnType<typeof openZooKeeperSession>>>, path: string, data: Buffer | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new StackError('SECURE_SETUP_FAILED', `ZooKeeper did not create ${path} within 10 s`)), 10_000);
    const done = (err: unknown): void => {
      clearTimeout(timer);
      // NODE_EXISTS (-110): made before, kept.
      if (err && (err as { code?: number }).code !== -110) reject(new StackError('SECURE_SETUP_FAILED', `ZooKeeper refused to create ${path}: ${String(err)}`));
      else resolve();
    };
    if (data === null) zk.create(path, done);
    else zk.create(path, data, done);
  });
}

/** How a Tabstream client reaches the secure stack's brokers (the stack's own probes too). */
export async function stackKafkaSecurity(layout: StackLayout): Promise<KafkaSecurity> {
  const secrets = await stackSecrets(layout);
  return { tls: { ca: secrets.caCert }, sasl: { mechanism: 'SCRAM-SHA-512', username: KAFKA_CLIENT_USER, passwordFile: secrets.kafkaClientPasswordFile } };
}

/**
 * The config files pointing every command at the secure stack: paths to
 * secrets, never a secret. `tabstream.json` (TABSTREAM_CONFIG) logs in to
 * Redis as the workers' user; `tabstream-reader.json` is the same as the
 * readers' (for `serve`, `query`, `status`).
 */
export async function writeSecureConfig(
  layout: StackLayout,
  secrets: StackSecrets,
  addresses: { zk: string; brokers: string; redis: string; redisTls?: { ca: string } },
): Promise<string> {
  const configOf = async (role: 'worker' | 'reader') => ({
    zk: addresses.zk,
    brokers: addresses.brokers.split(','),
    redis: addresses.redis.replace('://', `://${REDIS_USERS[role]}@`),
    redisPasswordFile: secrets.redisPasswordFiles[role],
    ...(addresses.redisTls && { redisTls: { ca: addresses.redisTls.ca } }),
    kafka: await stackKafkaSecurity(layout),
    zkAuth: { scheme: 'digest', credentialsFile: secrets.zkCredentialsFile },
    serve: { tokensFile: secrets.apiTokensFile, tls: { cert: secrets.serveCert, key: secrets.serveKey } },
  });
  await writeJson(secureReaderConfigFile(layout), await configOf('reader'));
  const file = secureConfigFile(layout);
  await writeJson(file, await configOf('worker'));
  return file;
}

export const secureReaderConfigFile = (layout: StackLayout): string => join(layout.dir, 'tabstream-reader.json');

async function writeJson(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}
