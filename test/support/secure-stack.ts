// The secure suite's stack (test/secure/): `dev up --secure` as the project
// starts it (Kafka on SASL_SSL with SCRAM-SHA-512 and a CA of the stack's
// own), in the run's scratch directory on ports found free; reused by the
// suite's files, stopped by the test runner at the end of the run.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startStack } from '../../deploy/stack';
import { resolveConfig, type TabstreamConfig } from '../../topology/config';
import { freePorts } from './free-ports';
import { stackHandle, type StackHandle } from './stack-handle';

export interface SecureStack extends StackHandle {
  /** A config as `serve` and queries use it: Redis's read-only user. */
  readerConfig(overrides?: Partial<TabstreamConfig>): TabstreamConfig;
  /** The client config file `dev up --secure` wrote (TABSTREAM_CONFIG). */
  configFile: string;
  /** Where the stack keeps its CA, certificates and passwords. */
  secretsDir: string;
}

export async function secureStack(): Promise<SecureStack> {
  const dir = join(process.env.TABSTREAM_TEST_SCRATCH || tmpdir(), 'secure-stack');
  const info = existsSync(join(dir, 'stack.json'))
    ? await startStack({ dir })
    : await (async () => {
        const [zkPort, kafkaPort, redisPort] = (await freePorts(3)) as [number, number, number];
        return startStack({ dir, zkPort, kafkaPort, redisPort, secure: true });
      })();
  if (info.config === undefined) throw new Error(`the stack in ${dir} is not secure`);
  const handle = stackHandle(dir, info, '/tabstream-secure');
  const secured = (file: string) => {
    const { kafka, redis, redisTls, redisPasswordFile, zkAuth } = resolveConfig({ config: file }, {});
    return { kafka, redis, redisTls, redisPasswordFile, zkAuth };
  };
  const asWorker = secured(info.config);
  const asReader = secured(join(dir, 'tabstream-reader.json'));
  return {
    ...handle,
    // The config file's TLS, SASL and Redis user, with a ZooKeeper root of the caller's own.
    config: (overrides = {}) => ({ ...handle.config(), ...asWorker, ...overrides }),
    readerConfig: (overrides = {}) => ({ ...handle.config(), ...asReader, ...overrides }),
    configFile: info.config,
    secretsDir: join(dir, 'secrets'),
  };
}
