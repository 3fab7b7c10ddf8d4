import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';

/** The SASL mechanisms a connection can authenticate with. */
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** How a connection reaches the brokers besides their addresses: TLS and SASL, when the cluster asks for them. */
export interface KafkaSecurity {
  /** TLS to the brokers: file paths of the CA to trust, and of a client certificate and key when the brokers want one. */
  tls?: { ca?: string; cert?: string; key?: string };
  /**
   * SASL: the mechanism and user; the password given inline (only `reveal()`
   * gives it), from a file (`passwordFile`), or from the environment
   * (`TABSTREAM_KAFKA_PASSWORD`).
   */
  sasl?: { mechanism: SaslMechanism; username: string; passwordFile?: string; password?: { reveal(): string } };
}

/**
 * What a connection is made from. The spouts own this shape and the
 * topology's config satisfies it (`TabstreamConfig`, topology/config.ts), so
 * nothing here reads the layer above.
 */
export interface KafkaSettings {
  brokers: string[];
  kafka?: KafkaSecurity;
}

/**
 * The options every @platformatic/kafka client of Tabstream starts from:
 * brokers, bounded connect and request times, TLS, SASL. Secrets are read
 * when a connection authenticates, never kept in the options' printable parts.
 */
export class KafkaConnection {
  constructor(
    readonly brokers: string[],
    private readonly security: KafkaSecurity = {},
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  static of(config: KafkaSettings): KafkaConnection {
    return new KafkaConnection(config.brokers, config.kafka ?? {});
  }

  clientOptions(clientId: string): {
    clientId: string;
    bootstrapBrokers: string[];
    connectTimeout: number;
    requestTimeout: number;
    tls?: ConnectionOptions;
    sasl?: { mechanism: SaslMechanism; username: string; password: () => string };
  } {
    const { tls, sasl } = this.security;
    return {
      clientId,
      bootstrapBrokers: this.brokers,
      connectTimeout: CONNECT_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      ...(tls && {
        tls: {
          ...(tls.ca && { ca: readFileSync(tls.ca) }),
          ...(tls.cert && { cert: readFileSync(tls.cert) }),
          ...(tls.key && { key: readFileSync(tls.key) }),
        },
      }),
      ...(sasl && { sasl: { mechanism: sasl.mechanism, username: sasl.username, password: () => this.password() } }),
    };
  }

  private password(): string {
    const inline = this.security.sasl?.password;
    if (inline !== undefined) return inline.reveal();
    const file = this.security.sasl?.passwordFile;
    if (file !== undefined) return readFileSync(file, 'utf8').trim();
    const fromEnv = this.env.TABSTREAM_KAFKA_PASSWORD;
    if (fromEnv === undefined) throw new Error('Kafka SASL needs a password: set TABSTREAM_KAFKA_PASSWORD or kafka.sasl.passwordFile');
    return fromEnv;
  }
}

/** A broker that does not accept a connection, or answer a request, within these fails the call (retried by the caller). */
const CONNECT_TIMEOUT_MS = 3000;
const REQUEST_TIMEOUT_MS = 10_000;
