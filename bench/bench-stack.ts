// The benchmark's own local stack: its own directory and ports, so a run
// never meets the dev stack (.stack/) or the test stack (.stack-test/).
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack, stopStack, type StackInfo } from '../deploy/stack';

export const BENCH_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A port from the environment (another stack may hold the default one), else the default. */
function envPort(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`${name}=${value} is not a port`);
  return port;
}

export const BENCH_STACK = {
  dir: resolve(BENCH_ROOT, '.stack-bench'),
  zkPort: envPort('TABSTREAM_BENCH_ZK_PORT', 32181),
  kafkaPort: envPort('TABSTREAM_BENCH_KAFKA_PORT', 39092),
  redisPort: envPort('TABSTREAM_BENCH_REDIS_PORT', 36379),
};

export async function startBenchStack(log: (line: string) => void): Promise<StackInfo> {
  return startStack({ ...BENCH_STACK, log: (line) => log(`[stack] ${line}`) });
}

/** Stops the stack and deletes what the run left (topics, Redis data, worker configs): gigabytes per full run. */
export async function stopBenchStack(log: (line: string) => void): Promise<void> {
  await stopStack(BENCH_STACK.dir, { log: (line) => log(`[stack] ${line}`) });
  for (const left of ['data', 'runs', 'kafka-streams', 'profiles']) await rm(join(BENCH_STACK.dir, left), { recursive: true, force: true });
}
