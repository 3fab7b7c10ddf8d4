import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfigFile } from '../../topology/config-file';
import { resolveConfig } from '../../topology/config';
import { stackLayout } from '../../deploy/stack/layout';
import { secureReaderConfigFile, stackSecrets, writeSecureConfig } from '../../deploy/stack/secure-stack';
import { scratchDir } from '../support/scratch-dir';

const dir = mkdtempSync(join(tmpdir(), 'tabstream-config-file-'));
let files = 0;
/** A config file holding `content` (JSON of it, or the text itself). */
const file = (content: unknown): string => {
  const path = join(dir, `config-${++files}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};
const errorOf = (content: unknown, fromEnv = false): string => {
  const path = file(content);
  try {
    readConfigFile(path, fromEnv);
  } catch (err) {
    return (err as Error).message.replace(path, '<file>');
  }
  throw new Error(`${JSON.stringify(content)} was accepted`);
};

describe('readConfigFile: every mistake is one line naming the file and the key', () => {
  it('names the key and the type it expects', () => {
    expect(errorOf({ brokers: 9092 })).toBe('config file <file>: brokers must be a list of "host:port" strings, or one comma-separated string, got 9092');
    expect(errorOf({ brokers: ['k1:9092', 2] })).toMatch(/^config file <file>: brokers must be a list of "host:port" strings/);
    expect(errorOf({ sessionTimeoutMs: '6000' })).toBe('config file <file>: sessionTimeoutMs must be a positive integer of milliseconds, got "6000"');
    expect(errorOf({ flushIntervalMs: 0 })).toMatch(/: flushIntervalMs must be a positive integer of milliseconds, got 0$/);
    expect(errorOf({ workingSetMiB: -1 })).toMatch(/: workingSetMiB must be a positive number of MiB, got -1$/);
    expect(errorOf({ blockedTabs: 'a*' })).toMatch(/: blockedTabs must be a list of Tab name patterns \(strings\), got "a\*"$/);
    expect(errorOf({ zkRoot: 'tabstream' })).toMatch(/: zkRoot must be a ZooKeeper path .*, got "tabstream"$/);
    expect(errorOf({ kafka: { sasl: { mechanism: 'SCRAM' } } })).toBe(
      'config file <file>: kafka.sasl.mechanism must be one of "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", got "SCRAM"',
    );
    expect(errorOf({ kafka: { tls: true } })).toBe('config file <file>: kafka.tls must be an object, got true');
    expect(errorOf({ serve: { tls: { cert: 1 } } })).toBe('config file <file>: serve.tls.cert must be a file path (a string), got 1');
  });

  it('refuses a file that is not a JSON object, saying where the JSON breaks, on one line', () => {
    expect(errorOf(['zk'])).toBe('config file <file>: it must be a JSON object of settings, got ["zk"]');
    expect(errorOf('null')).toBe('config file <file>: it must be a JSON object of settings, got null');
    const broken = errorOf('{\n  "zk": "a",\n  zkRoot: "/x"\n}');
    expect(broken).toMatch(/^config file <file>: not JSON: Expected double-quoted property name in JSON at position 17/);
    expect(errorOf('{"a":\n tru}')).not.toContain('\n');
    expect(errorOf({ zk: 1 }, true)).toMatch(/^config file <file> \(TABSTREAM_CONFIG\): zk must be /);
  });

  it('refuses an unknown key, suggesting the nearest known one', () => {
    expect(errorOf({ zkroot: '/x' })).toBe("config file <file>: unknown key 'zkroot' (did you mean 'zkRoot'?)");
    expect(errorOf({ broker: 'k:9092' })).toBe("config file <file>: unknown key 'broker' (did you mean 'brokers'?)");
    expect(errorOf({ flushInterval: 500 })).toBe("config file <file>: unknown key 'flushInterval' (did you mean 'flushIntervalMs'?)");
    expect(errorOf({ kafka: { sasl: { user: 'u' } } })).toBe("config file <file>: unknown key 'kafka.sasl.user' (known keys of kafka.sasl: mechanism, username, passwordFile, password)");
    expect(errorOf({ kafka: { sasl: { usrname: 'u' } } })).toBe("config file <file>: unknown key 'kafka.sasl.usrname' (did you mean 'kafka.sasl.username'?)");
    expect(errorOf({ metrics: 1 })).toMatch(/^config file <file>: unknown key 'metrics' \(known keys: zk, brokers, redis, /);
    // A key named like an Object.prototype member is as unknown as any other.
    expect(errorOf(JSON.parse('{"constructor": 1}'))).toMatch(/unknown key 'constructor'/);
  });

  it('never shows a secret: a Redis URL, ZooKeeper credentials, a Kafka password', () => {
    const secret = 's3cret-in-file';
    expect(errorOf({ redis: 7 })).toMatch(/redis must be a Redis URL/);
    expect(errorOf({ zkAuth: `u:${secret}` })).toBe(
      'config file <file>: zkAuth must be an object: { "scheme": "digest", "credentialsFile": "<path>" } or { "scheme": "digest", "credentials": "user:password" }, got a string',
    );
    for (const content of [{ zkAuth: `u:${secret}` }, { zkAuth: { credentials: `u:${secret}`, credentialsFile: '/x' } }, { kafka: { sasl: { password: secret, passwordFile: '/x' } } }]) {
      expect(errorOf(content)).not.toContain(secret);
    }
    expect(errorOf({ zkAuth: { credentials: 'u:p', credentialsFile: '/x' } })).toBe('config file <file>: zkAuth takes credentials or credentialsFile, not both');
    expect(errorOf({ kafka: { sasl: { password: 'p', passwordFile: '/x' } } })).toBe('config file <file>: kafka.sasl takes password or passwordFile, not both');
  });

  it('accepts every key the secure stack writes (deploy/stack/secure-stack.ts), and the documented ones', () => {
    const secureStack = {
      zk: '127.0.0.1:2181',
      brokers: ['127.0.0.1:9092'],
      redis: 'rediss://tabstream-worker@127.0.0.1:6379',
      redisPasswordFile: '/s/redis-worker-password',
      redisTls: { ca: '/s/ca.pem' },
      kafka: { tls: { ca: '/s/ca.pem' }, sasl: { mechanism: 'SCRAM-SHA-512', username: 'tabstream', passwordFile: '/s/kafka-password' } },
      zkAuth: { scheme: 'digest', credentialsFile: '/s/zk-credentials' },
      serve: { tokensFile: '/s/api-tokens', tls: { cert: '/s/serve.pem', key: '/s/serve-key.pem' } },
    };
    expect(readConfigFile(file(secureStack), false)).toEqual(secureStack);
    const documented = {
      zk: 'zk1:2181',
      brokers: 'k1:9092,k2:9092',
      redis: 'redis://state.internal:6379',
      redisTls: { ca: '/ca', cert: '/cert', key: '/key' },
      zkRoot: '/tabstream-prod',
      redisPrefix: 'ts',
      flushIntervalMs: 1000,
      sessionTimeoutMs: 6000,
      redisTimeoutMs: 3000,
      maxEventFutureMs: 0,
      workingSetMiB: 0.5,
      staleTabAfterMs: 0,
      blockedTabs: ['debug_*'],
      kafka: { tls: { cert: '/c', key: '/k' }, sasl: { mechanism: 'PLAIN', username: 'u', password: 'p' } },
      zkAuth: { scheme: 'digest', credentials: 'u:p' },
    };
    expect(readConfigFile(file(documented), false)).toEqual(documented);
    // And resolveConfig reads them without refusing anything.
    expect(resolveConfig({ config: file(documented) }, {})).toMatchObject({ brokers: ['k1:9092', 'k2:9092'], sessionTimeoutMs: 6000, workingSetMiB: 0.5 });
  });

  it('accepts the files dev up --secure writes, tabstream.json and tabstream-reader.json, as they are written', async () => {
    const layout = stackLayout(scratchDir('config-file-secure'));
    const addresses = { zk: '127.0.0.1:2181', brokers: '127.0.0.1:9092', redis: 'rediss://127.0.0.1:6379', redisTls: { ca: '/ca.pem' } };
    const workers = await writeSecureConfig(layout, await stackSecrets(layout), addresses);
    for (const written of [workers, secureReaderConfigFile(layout)]) {
      expect(Object.keys(readConfigFile(written, false)).sort()).toEqual(['brokers', 'kafka', 'redis', 'redisPasswordFile', 'redisTls', 'serve', 'zk', 'zkAuth']);
      expect(resolveConfig({ config: written }, {}).zkAuth?.user).toBe('tabstream');
    }
  }, 60_000);
});
