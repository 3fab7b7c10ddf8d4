import type { Command } from 'commander';
import { resolveConfig, type ConfigFlags, type TabstreamConfig } from '../config';
import type { TopologySpec } from '../deploy/topology-spec';

/** The connection flags every command that talks to the cluster takes. */
export function withConfigFlags(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'a JSON config file (env TABSTREAM_CONFIG)')
    .option('--zk <hosts>', 'ZooKeeper connection string (env TABSTREAM_ZK)')
    .option('--brokers <list>', 'Kafka bootstrap brokers, comma-separated (env TABSTREAM_BROKERS)')
    .option('--redis <url>', 'Redis URL, without a password: ps shows flags (env TABSTREAM_REDIS, which may hold one)')
    .option('--redis-password-file <file>', 'file holding the Redis password of the URL’s user (env TABSTREAM_REDIS_PASSWORD_FILE)')
    .option('--redis-ca <file>', 'CA certificate to trust for TLS to Redis, rediss:// (env TABSTREAM_REDIS_CA)')
    .option('--redis-cert <file>', 'client certificate for TLS to Redis (env TABSTREAM_REDIS_CERT)')
    .option('--redis-key <file>', 'client key for TLS to Redis (env TABSTREAM_REDIS_KEY)')
    .option('--zk-root <path>', 'ZooKeeper root of Tabstream’s znodes (env TABSTREAM_ZK_ROOT)', undefined)
    .option('--kafka-ca <file>', 'CA certificate to trust for TLS to Kafka (env TABSTREAM_KAFKA_CA)')
    .option('--kafka-cert <file>', 'client certificate for TLS to Kafka (env TABSTREAM_KAFKA_CERT)')
    .option('--kafka-key <file>', 'client key for TLS to Kafka (env TABSTREAM_KAFKA_KEY)')
    .option('--kafka-sasl-mechanism <name>', 'SASL to Kafka: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (env TABSTREAM_KAFKA_SASL_MECHANISM)')
    .option('--kafka-username <name>', 'SASL user (env TABSTREAM_KAFKA_USERNAME)')
    .option('--kafka-password-file <file>', 'file holding the SASL password (env TABSTREAM_KAFKA_PASSWORD_FILE; or the password in TABSTREAM_KAFKA_PASSWORD)')
    .option('--zk-credentials-file <file>', 'file holding ZooKeeper digest credentials, user:password (env TABSTREAM_ZK_CREDENTIALS_FILE; or TABSTREAM_ZK_CREDENTIALS; config zkAuth)');
}

export function configFrom(flags: ConfigFlags & { flushInterval?: string; sessionTimeout?: string }): TabstreamConfig {
  const config = resolveConfig(flags);
  if (flags.flushInterval !== undefined) config.flushIntervalMs = positiveInt(flags.flushInterval, '--flush-interval');
  if (flags.sessionTimeout !== undefined) config.sessionTimeoutMs = positiveInt(flags.sessionTimeout, '--session-timeout');
  return config;
}

/** A flag's integer of at least `min` (blank is none: Number('') would read it as 0). */
function integerAtLeast(value: string, flag: string, min: number, what: string): number {
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} takes ${what}, got '${value}'`);
  return n;
}

export function positiveInt(value: string, flag: string): number {
  return integerAtLeast(value, flag, 1, 'a positive integer');
}

export function nonNegativeInt(value: string, flag: string): number {
  return integerAtLeast(value, flag, 0, 'a whole number (0 or more)');
}

/** The flags of `deploy` and `local`, which both submit a topology. */
export function withDeployFlags(cmd: Command): Command {
  return withConfigFlags(
    cmd
      .option('--name <name>', 'the name to deploy it under')
      .option('--topic <topic>', 'the spout topic')
      .option('--partitions <n>', "partitions of the topic when deploy creates it (default 8); an existing topic's count must be this")
      .option('--replicas <n>', "replicas of each topic it creates (default: min(3, the brokers up))")
      .option('--min-isr <n>', "the topics' min.insync.replicas (default: 2 from 3 replicas on, else the broker's)")
      .option('--flush-interval <ms>', 'checkpoint interval (default 1000, or the config file’s flushIntervalMs)')
      .option('--max-event-future <ms>', 'event times later than now + this are dead letters, time-in-future (env TABSTREAM_MAX_EVENT_FUTURE_MS; default 3600000)')
      .option('--stale-tab-after <ms>', 'delete a windowed Tab state with no event for this long, Taba’s GC; 0 keeps all (env TABSTREAM_STALE_TAB_AFTER_MS; default 172800000, 2 days)')
      .option('--blocked-tabs <patterns>', 'comma-separated Tab name patterns (* = any run of characters) whose events are dead letters, tab-blocked (env TABSTREAM_BLOCKED_TABS)'),
  );
}

export async function deployFrom(ref: string, flags: Record<string, string | undefined>): Promise<TopologySpec> {
  // Loaded on use: every command takes these flags, few deploy (and deploy's Kafka client is big to load).
  const { deployTopology } = await import('../deploy/deploy');
  return deployTopology(configFrom(flags), ref, {
    name: flags.name,
    topic: flags.topic,
    ...(flags.partitions !== undefined && { partitions: positiveInt(flags.partitions, '--partitions') }),
    ...(flags.replicas !== undefined && { replicas: positiveInt(flags.replicas, '--replicas') }),
    ...(flags.minIsr !== undefined && { minInsyncReplicas: positiveInt(flags.minIsr, '--min-isr') }),
  });
}
