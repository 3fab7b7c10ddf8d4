// The benchmark's own local stack: its own directory and ports, so a run
// never meets the dev stack (.stack/) or the test stack (.stack-test/).
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack, stopStack, type StackInfo } from '../deploy/stack';

export const BENCH_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BENCH_STACK = {
  dir: resolve(BENCH_ROOT, '.stack-bench'),
  zkPort: 32181,
  kafkaPort: 39092,
  redisPort: 36379,
};

export async function startBenchStack(log: (line: string) => void): Promise<StackInfo> {
  return startStack({ ...BENCH_STACK, log: (line) => log(`[stack] ${line}`) });
}

/** Stops the stack and deletes what the run left (topics, Redis data, worker configs): gigabytes per full run. */
export async function stopBenchStack(log: (line: string) => void): Promise<void> {
  await stopStack(BENCH_STACK.dir, { log: (line) => log(`[stack] ${line}`) });
  for (const left of ['data', 'runs', 'kafka-streams', 'profiles']) await rm(join(BENCH_STACK.dir, left), { recursive: true, force: true });
}
