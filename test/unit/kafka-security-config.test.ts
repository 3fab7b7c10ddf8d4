import { inspect } from 'node:util';
// Kafka's TLS and SASL settings: flags over the environment over the config
// file, checked at once, and the password never in a flag, the options'
// printable parts or a config object.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../topology/config';
import { KafkaConnection } from '../../spouts/kafka-connection';

const dir = mkdtempSync(join(tmpdir(), 'tabstream-kafka-security-'));
const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('Kafka security settings', () => {
  it('are absent unless asked for', () => {
    expect(resolveConfig({}, {}).kafka).toBeUndefined();
  });

  it('come from the flag, else the environment, else the config file', () => {
    const config = file('config.json', JSON.stringify({ kafka: { tls: { ca: '/file/ca.pem' }, sasl: { mechanism: 'PLAIN', username: 'from-file' } } }));
    expect(resolveConfig({ config }, {}).kafka).toEqual({ tls: { ca: '/file/ca.pem' }, sasl: { mechanism: 'PLAIN', username: 'from-file' } });
    const env = { TABSTREAM_KAFKA_CA: '/env/ca.pem', TABSTREAM_KAFKA_USERNAME: 'from-env', TABSTREAM_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', TABSTREAM_KAFKA_PASSWORD_FILE: '/env/pw' };
    expect(resolveConfig({ config }, env).kafka).toEqual({ tls: { ca: '/env/ca.pem' }, sasl: { mechanism: 'SCRAM-SHA-512', username: 'from-env', passwordFile: '/env/pw' } });
    expect(resolveConfig({ config, kafkaCa: '/flag/ca.pem', kafkaUsername: 'from-flag', kafkaCert: '/flag/cert.pem' }, env).kafka).toEqual({
      tls: { ca: '/flag/ca.pem', cert: '/flag/cert.pem' },
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'from-flag', passwordFile: '/env/pw' },
    });
  });

  it('refuse an unknown mechanism or SASL without a user, in one line', () => {
    expect(() => resolveConfig({ kafkaSaslMechanism: 'GSSAPI', kafkaUsername: 'u' }, {})).toThrow(/mechanism must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512/);
    expect(() => resolveConfig({ kafkaSaslMechanism: 'PLAIN' }, {})).toThrow(/needs a username/);
  });

  it('read the password from its file or the environment when asked, and never print it', () => {
    const secret = 's3cret-pw';
    const fromFile = new KafkaConnection(['b:9092'], { sasl: { mechanism: 'SCRAM-SHA-512', username: 'u', passwordFile: file('pw', `${secret}\n`) } }, {});
    const options = fromFile.clientOptions('t');
    expect(options.sasl!.password()).toBe(secret);
    expect(JSON.stringify(options)).not.toContain(secret);
    const fromEnv = new KafkaConnection(['b:9092'], { sasl: { mechanism: 'PLAIN', username: 'u' } }, { TABSTREAM_KAFKA_PASSWORD: secret });
    expect(fromEnv.clientOptions('t').sasl!.password()).toBe(secret);
    const none = new KafkaConnection(['b:9092'], { sasl: { mechanism: 'PLAIN', username: 'u' } }, {});
    expect(() => none.clientOptions('t').sasl!.password()).toThrow(/TABSTREAM_KAFKA_PASSWORD or kafka.sasl.passwordFile/);
  });

  it('take the password inline from the config file, and print it redacted everywhere', () => {
    const secret = 'inline-s3cret';
    const config = file('inline.json', JSON.stringify({ kafka: { sasl: { mechanism: 'SCRAM-SHA-512', username: 'u', password: secret } } }));
    const resolved = resolveConfig({ config }, {});
    expect(new KafkaConnection(['b:9092'], resolved.kafka, {}).clientOptions('t').sasl!.password()).toBe(secret);
    expect(JSON.stringify(resolved)).not.toContain(secret);
    expect(inspect(resolved, { depth: 10 })).not.toContain(secret);
    expect(`${String(resolved.kafka!.sasl!.password)}`).not.toContain(secret);
    const both = file('both.json', JSON.stringify({ kafka: { sasl: { mechanism: 'PLAIN', username: 'u', password: secret, passwordFile: '/x' } } }));
    expect(() => resolveConfig({ config: both }, {})).toThrow(/not both/);
  });

  it('load the TLS files given', () => {
    const ca = file('ca.pem', 'CA PEM');
    const options = new KafkaConnection(['b:9093'], { tls: { ca } }).clientOptions('t');
    expect(String(options.tls!.ca)).toBe('CA PEM');
  });
});
