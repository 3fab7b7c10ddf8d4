// A stack of a test file's own, driven through `topology dev up|status|down`
// as an operator would: one ZooKeeper, one broker and Redis in the shape
// asked for, on ports found free, in a scratch directory (the test runner
// stops whatever is left there at the end of the run).
import type { RedisMode } from '../../deploy/stack';
import { stackLayout, stackStatus } from '../../deploy/stack';
import { processesWithMarker, type ProcessFacts } from '../../deploy/stack/process-table';
import { freeRedisPort } from './cluster-stack';
import { freePorts } from './free-ports';
import { runCli, type CliResult } from './run-cli';
import { scratchDir } from './scratch-dir';

export interface DevStack {
  dir: string;
  /** The first Redis server's port (--redis-port); the others follow it. */
  redisPort: number;
  /** What the first `dev up` answered. */
  up: CliResult;
  /** `topology dev <command> --dir <dir> <args>` (a 2-minute deadline). */
  dev(command: 'up' | 'status' | 'down', ...args: string[]): Promise<CliResult>;
  /** `dev down`, and what is left: processes of this directory, nodes `dev status` says run (both empty after a clean stop). */
  down(): Promise<{ code: number | null; processes: ProcessFacts[]; running: string[] }>;
}

/** Runs `dev up` with `--redis-cluster` or `--redis-sentinel` (throws when it fails). */
export async function devStack(prefix: string, redisMode: Exclude<RedisMode, 'single'>): Promise<DevStack> {
  const dir = scratchDir(prefix);
  const [zkPort, kafkaPort] = (await freePorts(2)) as [number, number];
  const redisPort = await freeRedisPort(redisMode);
  const dev = (command: string, ...args: string[]) => runCli(['dev', command, '--dir', dir, ...args], process.env, 120_000);
  const up = await dev('up', `--redis-${redisMode}`, '--zk-port', String(zkPort), '--kafka-port', String(kafkaPort), '--redis-port', String(redisPort));
  if (up.code !== 0) throw new Error(`dev up --redis-${redisMode} failed (${up.code}): ${up.stderr}`);
  const down = async () => {
    const { code } = await dev('down');
    return { code, processes: processesWithMarker(`${stackLayout(dir).configDir}/`), running: (await stackStatus(dir)).nodes.filter((n) => n.running).map((n) => n.name) };
  };
  return { dir, up, redisPort, dev, down };
}
