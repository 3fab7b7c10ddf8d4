import { SecretText } from './secret-text';
import { readFileSync } from 'node:fs';
import { readConfigFile, type ConfigFile } from './config-file';
import { SASL_MECHANISMS, type KafkaSecurity as KafkaConnectionSecurity, type SaslMechanism } from '../spouts/kafka-connection';
import type { RedisTlsFiles } from '../state/redis-client';
import { hasPassword } from '../state/redis-target';
import { ZkDigestAuth } from './coordination/zk-auth';

/** Where Tabstream finds its three services and how it runs. */
export interface TabstreamConfig {
  /** ZooKeeper connection string, e.g. `127.0.0.1:2181`. */
  zk: string;
  /** Kafka bootstrap brokers. */
  brokers: string[];
  /** A `redis://` URL, or another form redis-target.ts reads (`rediss://`, `redis-cluster://`, `redis-sentinel://`, ...). */
  redis: string;
  /** TLS files for a `rediss` URL (its scheme turns TLS on; these only say what to trust and present). */
  redisTls?: RedisTlsFiles;
  /** A file holding the Redis password, for a URL that names only the user (never a flag: `ps` shows flags). */
  redisPasswordFile?: string;
  /** ZooKeeper root of Tabstream's znodes. */
  zkRoot: string;
  /** Redis key prefix. */
  redisPrefix: string;
  flushIntervalMs: number;
  sessionTimeoutMs: number;
  /** A Redis command unanswered this long fails (the worker retries it; a reader reports it). */
  redisTimeoutMs: number;
  /**
   * Event times later than the worker's clock plus this are dead letters
   * (`time-in-future`): one bad clock must not move a Tab's windows or the
   * dedup window. Stored with the topology at deploy, like flushIntervalMs.
   */
  maxEventFutureMs: number;
  /**
   * A worker's budget for states held in memory, MiB (a cache of what Redis
   * holds: states the last checkpoint wrote are evicted past it).
   */
  workingSetMiB: number;
  /**
   * A windowed Tab state that has seen no event for this long (its windows
   * all empty) is deleted at a checkpoint, Taba's GC; 0 keeps every state.
   * Stored with the topology at deploy. Default 2 days.
   */
  staleTabAfterMs: number;
  /**
   * Tab name patterns to refuse (Taba's blacklist), `*` matching any run of
   * characters: their events are dead letters (`tab-blocked`). Stored with
   * the topology at deploy.
   */
  blockedTabs: string[];
  /** TLS and SASL to Kafka (config file only: secrets come from files or the environment). */
  kafka?: KafkaSecurity;
  /** `topology serve`'s API tokens file and TLS certificate (file paths; resolved with their flags in ui/serve-security.ts). */
  serve?: { tokensFile?: string; tls?: { cert?: string; key?: string } };
  /**
   * ZooKeeper digest credentials: every client authenticates with them and
   * every znode Tabstream creates is changeable by this identity only
   * (readable by anyone). Absent: open znodes, as before. Prints redacted.
   */
  zkAuth?: ZkDigestAuth;
}

/**
 * How Tabstream reaches Kafka besides the brokers: TLS and SASL, as a Kafka
 * connection takes them (spouts/kafka-connection.ts), the password given
 * inline a SecretText (printed redacted); otherwise from a file
 * (`passwordFile`) or the environment (`TABSTREAM_KAFKA_PASSWORD`), never
 * from a flag `ps` shows.
 */
export interface KafkaSecurity extends KafkaConnectionSecurity {
  sasl?: NonNullable<KafkaConnectionSecurity['sasl']> & { password?: SecretText };
}

export const DEFAULT_CONFIG: TabstreamConfig = {
  zk: '127.0.0.1:2181',
  brokers: ['127.0.0.1:9092'],
  redis: 'redis://127.0.0.1:6379',
  zkRoot: '/tabstream',
  redisPrefix: 'ts',
  flushIntervalMs: 1000,
  sessionTimeoutMs: 4000,
  redisTimeoutMs: 3000,
  maxEventFutureMs: 60 * 60 * 1000,
  workingSetMiB: 256,
  staleTabAfterMs: 2 * 24 * 60 * 60 * 1000,
  blockedTabs: [],
};

export interface ConfigFlags {
  config?: string;
  zk?: string;
  brokers?: string;
  redis?: string;
  zkRoot?: string;
  maxEventFuture?: string;
  workingSetMib?: string;
  staleTabAfter?: string;
  blockedTabs?: string;
  kafkaCa?: string;
  kafkaCert?: string;
  kafkaKey?: string;
  kafkaSaslMechanism?: string;
  kafkaUsername?: string;
  kafkaPasswordFile?: string;
  redisCa?: string;
  redisCert?: string;
  redisKey?: string;
  redisPasswordFile?: string;
  zkCredentialsFile?: string;
}

/**
 * Kafka's TLS and SASL settings: each from its flag, else the environment
 * (`TABSTREAM_KAFKA_CA`, `_CERT`, `_KEY`, `_SASL_MECHANISM`, `_USERNAME`,
 * `_PASSWORD_FILE`), else the config file's `kafka`. The password itself is
 * never a flag: a file, the config file's `kafka.sasl.password` (kept as a
 * SecretText, printed redacted), or `TABSTREAM_KAFKA_PASSWORD` read when a
 * connection authenticates (spouts/kafka-connection.ts).
 */
function kafkaSecurity(flags: ConfigFlags, env: NodeJS.ProcessEnv, fromFile: ConfigFile['kafka']): KafkaSecurity | undefined {
  const tls = {
    ca: flags.kafkaCa ?? env.TABSTREAM_KAFKA_CA ?? fromFile?.tls?.ca,
    cert: flags.kafkaCert ?? env.TABSTREAM_KAFKA_CERT ?? fromFile?.tls?.cert,
    key: flags.kafkaKey ?? env.TABSTREAM_KAFKA_KEY ?? fromFile?.tls?.key,
  };
  const mechanism = flags.kafkaSaslMechanism ?? env.TABSTREAM_KAFKA_SASL_MECHANISM ?? fromFile?.sasl?.mechanism;
  const username = flags.kafkaUsername ?? env.TABSTREAM_KAFKA_USERNAME ?? fromFile?.sasl?.username;
  const passwordFile = flags.kafkaPasswordFile ?? env.TABSTREAM_KAFKA_PASSWORD_FILE ?? fromFile?.sasl?.passwordFile;
  const out: KafkaSecurity = {};
  // TLS is on when the file asked for it (even with no paths: the system's CAs) or any path is given.
  if (fromFile?.tls !== undefined || tls.ca !== undefined || tls.cert !== undefined || tls.key !== undefined) {
    out.tls = Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined));
  }
  if (mechanism !== undefined || username !== undefined) {
    if (!SASL_MECHANISMS.includes(mechanism as SaslMechanism)) {
      throw new Error(`kafka SASL mechanism must be one of ${SASL_MECHANISMS.join(', ')}, got ${JSON.stringify(mechanism)}`);
    }
    if (username === undefined) throw new Error('kafka SASL needs a username (--kafka-username, TABSTREAM_KAFKA_USERNAME or kafka.sasl.username)');
    const inline = fromFile?.sasl?.password;
    // The file alone cannot hold both (config-file.ts); a flag or the environment may add a file to its password.
    if (inline !== undefined && passwordFile !== undefined) throw new Error('kafka SASL takes a password file or kafka.sasl.password in the config file, not both');
    out.sasl = {
      mechanism: mechanism as SaslMechanism,
      username,
      ...(passwordFile !== undefined && { passwordFile }),
      ...(inline !== undefined && { password: new SecretText(inline) }),
    };
  }
  return out.tls === undefined && out.sasl === undefined ? undefined : out;
}

/**
 * Redis's TLS files and password file: each from its flag, else the
 * environment (`TABSTREAM_REDIS_CA`, `_CERT`, `_KEY`, `_PASSWORD_FILE`), else
 * the config file (`redisTls`, `redisPasswordFile`). A password in the
 * `--redis` flag is refused: every user of the machine sees it in `ps`.
 */
function redisSecurity(flags: ConfigFlags, env: NodeJS.ProcessEnv, fromFile: ConfigFile): Pick<TabstreamConfig, 'redisTls' | 'redisPasswordFile'> {
  if (flags.redis !== undefined && hasPassword(flags.redis)) {
    throw new Error(
      'the --redis flag carries a password, which ps shows to every user of this machine: put the URL in TABSTREAM_REDIS or the config file (redis), or only the password in a file (--redis-password-file, TABSTREAM_REDIS_PASSWORD_FILE, redisPasswordFile)',
    );
  }
  const files = {
    ca: flags.redisCa ?? env.TABSTREAM_REDIS_CA ?? fromFile.redisTls?.ca,
    cert: flags.redisCert ?? env.TABSTREAM_REDIS_CERT ?? fromFile.redisTls?.cert,
    key: flags.redisKey ?? env.TABSTREAM_REDIS_KEY ?? fromFile.redisTls?.key,
  };
  const redisTls = Object.fromEntries(Object.entries(files).filter(([, v]) => v !== undefined && v !== '')) as RedisTlsFiles;
  const redisPasswordFile = flags.redisPasswordFile ?? env.TABSTREAM_REDIS_PASSWORD_FILE ?? fromFile.redisPasswordFile;
  return { redisTls: Object.keys(redisTls).length > 0 ? redisTls : undefined, redisPasswordFile: redisPasswordFile || undefined };
}

/** The environment that hands a config's Redis settings to a child process (never flags: `ps` shows those). */
export function redisEnv(config: Pick<TabstreamConfig, 'redis' | 'redisTls' | 'redisPasswordFile'>): Record<string, string> {
  const { ca, cert, key } = config.redisTls ?? {};
  return {
    TABSTREAM_REDIS: config.redis,
    ...(ca !== undefined && { TABSTREAM_REDIS_CA: ca }),
    ...(cert !== undefined && { TABSTREAM_REDIS_CERT: cert }),
    ...(key !== undefined && { TABSTREAM_REDIS_KEY: key }),
    ...(config.redisPasswordFile !== undefined && { TABSTREAM_REDIS_PASSWORD_FILE: config.redisPasswordFile }),
  };
}


/** The config file a command reads: `--config`, else `TABSTREAM_CONFIG`, else none. */
export function configFileOf(flags: Pick<ConfigFlags, 'config'>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return flags.config || env.TABSTREAM_CONFIG || undefined;
}

/**
 * ZooKeeper's digest credentials, `user:password`: from the file of
 * `--zk-credentials-file`, else the environment (the file named by
 * `TABSTREAM_ZK_CREDENTIALS_FILE`, or `TABSTREAM_ZK_CREDENTIALS` itself),
 * else the config file's `zkAuth` (`credentialsFile` or `credentials`).
 * Never a flag carrying the secret; no message ever shows it.
 */
function zkAuth(flags: ConfigFlags, env: NodeJS.ProcessEnv, file: ConfigFile['zkAuth']): ZkDigestAuth | undefined {
  // The file's zkAuth was checked as it was read (config-file.ts): an object, scheme digest, not both.
  if (env.TABSTREAM_ZK_CREDENTIALS !== undefined && env.TABSTREAM_ZK_CREDENTIALS_FILE !== undefined) {
    throw new Error('set TABSTREAM_ZK_CREDENTIALS_FILE or TABSTREAM_ZK_CREDENTIALS, not both');
  }
  const path = flags.zkCredentialsFile ?? env.TABSTREAM_ZK_CREDENTIALS_FILE;
  if (path !== undefined) return new ZkDigestAuth(credentialsFrom(path), `the file ${path}`);
  if (env.TABSTREAM_ZK_CREDENTIALS !== undefined) return new ZkDigestAuth(env.TABSTREAM_ZK_CREDENTIALS, 'TABSTREAM_ZK_CREDENTIALS');
  if (file === undefined) return undefined;
  if (typeof file.credentialsFile === 'string') return new ZkDigestAuth(credentialsFrom(file.credentialsFile), `the file ${file.credentialsFile}`);
  if (typeof file.credentials === 'string') return new ZkDigestAuth(file.credentials, 'zkAuth.credentials');
  throw new Error(
    'zkAuth needs credentials: zkAuth.credentialsFile or zkAuth.credentials in the config file, TABSTREAM_ZK_CREDENTIALS_FILE, TABSTREAM_ZK_CREDENTIALS or --zk-credentials-file',
  );
}

/** A credentials file's one line (a trailing newline is fine); its content never goes into a message. */
function credentialsFrom(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new Error(`zkAuth: cannot read the credentials file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}


/** Flags win over the environment (`TABSTREAM_ZK`, `TABSTREAM_BROKERS`, `TABSTREAM_REDIS`, `TABSTREAM_ZK_ROOT`, `TABSTREAM_MAX_EVENT_FUTURE_MS`, `TABSTREAM_WORKING_SET_MIB`, `TABSTREAM_STALE_TAB_AFTER_MS`, `TABSTREAM_BLOCKED_TABS`, `TABSTREAM_ZK_CREDENTIALS_FILE`, `TABSTREAM_ZK_CREDENTIALS`), which wins over a config file (JSON; `--config`, else `TABSTREAM_CONFIG`), which wins over the defaults (the local stack). */
export function resolveConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): TabstreamConfig {
  const file = configFileOf(flags, env);
  const fromFile: ConfigFile = file === undefined ? {} : readConfigFile(file, !flags.config);
  const brokers = flags.brokers ?? env.TABSTREAM_BROKERS ?? fromFile.brokers;
  const maxEventFuture = flags.maxEventFuture ?? env.TABSTREAM_MAX_EVENT_FUTURE_MS ?? fromFile.maxEventFutureMs;
  const workingSet = flags.workingSetMib ?? env.TABSTREAM_WORKING_SET_MIB ?? fromFile.workingSetMiB;
  const staleTabAfter = flags.staleTabAfter ?? env.TABSTREAM_STALE_TAB_AFTER_MS ?? fromFile.staleTabAfterMs;
  const blockedTabs = flags.blockedTabs ?? env.TABSTREAM_BLOCKED_TABS ?? fromFile.blockedTabs;
  return {
    ...DEFAULT_CONFIG,
    ...(fromFile as Partial<TabstreamConfig>),
    zk: flags.zk ?? env.TABSTREAM_ZK ?? fromFile.zk ?? DEFAULT_CONFIG.zk,
    redis: flags.redis ?? env.TABSTREAM_REDIS ?? fromFile.redis ?? DEFAULT_CONFIG.redis,
    zkRoot: flags.zkRoot ?? env.TABSTREAM_ZK_ROOT ?? fromFile.zkRoot ?? DEFAULT_CONFIG.zkRoot,
    brokers: brokers === undefined ? DEFAULT_CONFIG.brokers : Array.isArray(brokers) ? brokers : brokers.split(',').map((b) => b.trim()),
    maxEventFutureMs: maxEventFuture === undefined ? DEFAULT_CONFIG.maxEventFutureMs : milliseconds(maxEventFuture, 'maxEventFutureMs'),
    workingSetMiB: workingSet === undefined ? DEFAULT_CONFIG.workingSetMiB : mebibytes(workingSet, 'workingSetMiB'),
    staleTabAfterMs: staleTabAfter === undefined ? DEFAULT_CONFIG.staleTabAfterMs : milliseconds(staleTabAfter, 'staleTabAfterMs'),
    blockedTabs: blockedTabs === undefined ? DEFAULT_CONFIG.blockedTabs : tabPatterns(blockedTabs),
    kafka: kafkaSecurity(flags, env, fromFile.kafka),
    ...redisSecurity(flags, env, fromFile),
    // Always set: the file's raw zkAuth (with its credentials) must not pass through the spread above.
    zkAuth: zkAuth(flags, env, fromFile.zkAuth),
  };
}

/** Tab patterns from a comma-separated flag or variable, or the file's array; checked when the topology loads. */
function tabPatterns(value: unknown): string[] {
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) throw new Error(`blockedTabs takes Tab name patterns, got ${JSON.stringify(value)}`);
  return list.map((p: string) => p.trim()).filter((p) => p !== '');
}

/** A positive number of MiB (fractions allowed: tests use small budgets). */
function mebibytes(value: unknown, key: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) throw new Error(`${key} takes a positive number of MiB, got ${JSON.stringify(value)}`);
  return n;
}

/** A non-negative integer of milliseconds from a flag, the environment or the file; anything else is refused. */
function milliseconds(value: unknown, key: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new Error(`${key} takes a non-negative integer of milliseconds, got ${JSON.stringify(value)}`);
  return n;
}
