// A Redis speaking TLS only, as the local stack runs it in its TLS mode
// (`dev up --redis-tls`): a stack directory of the test's own in which only
// Redis is started (beside the test stack's ZooKeeper and Kafka), so no JVM
// starts for it. Stopped with `topology dev down --dir`; the test runner
// stops whatever is left in its scratch directory.
import { stackLayout, startService } from '../../deploy/stack';
import { redisTlsFiles, stackRedisTlsOptions } from '../../deploy/stack/redis-tls';
import { writeStackFile } from '../../deploy/stack/stack-file';
import type { ConnectionOptions } from 'node:tls';
import { freePorts } from './free-ports';
import { runCli } from './run-cli';
import { scratchDir } from './scratch-dir';

export interface TlsRedis {
  dir: string;
  port: number;
  /** `rediss://127.0.0.1:<port>`. */
  url: string;
  /** The stack's CA, and the client certificate and key it issued. */
  files: { ca: string; cert: string; key: string };
  /** TLS options of a client trusting the stack's CA and presenting its client certificate. */
  tls: ConnectionOptions;
  /** `topology dev down --dir <dir>`. */
  down(): Promise<void>;
}

export async function startTlsRedis(prefix: string): Promise<TlsRedis> {
  const dir = scratchDir(prefix);
  // ZooKeeper and Kafka of this directory are never started: their ports are only free ones to record.
  const [zkPort, kafkaPort, redisPort] = (await freePorts(3)) as [number, number, number];
  const layout = stackLayout(dir);
  await writeStackFile(layout, { zkPort, kafkaPort, redisPort, redisTls: true });
  const info = await startService(dir, 'redis');
  const files = redisTlsFiles(layout);
  return {
    dir,
    port: redisPort,
    url: info.redis,
    files: { ca: files.ca, cert: files.clientCert, key: files.clientKey },
    tls: stackRedisTlsOptions(layout),
    down: async () => {
      const { code, stderr } = await runCli(['dev', 'down', '--dir', dir], process.env, 60_000);
      if (code !== 0) throw new Error(`dev down --dir ${dir} failed (${code}): ${stderr}`);
    },
  };
}
