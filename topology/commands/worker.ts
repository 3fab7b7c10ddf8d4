import type { Command } from 'commander';
import { Worker } from '../runtime/worker';
import { configFrom, deployFrom, positiveInt, withConfigFlags, withDeployFlags } from './config-flags';

/** Runs a worker until SIGTERM/SIGINT, then drains: flush, commit, hand over. */
async function runWorker(worker: Worker): Promise<void> {
  await worker.start();
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      worker.log.info({ signal }, 'draining');
      worker
        .stop()
        .catch((err: Error) => worker.log.error({ err: err.message }, 'drain failed'))
        .finally(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

export function registerWorkerCommands(program: Command): void {
  withConfigFlags(
    program
      .command('worker')
      .description('join the cluster and run the tasks the leader assigns to this worker')
      .option('--id <id>', 'worker id (default: host-pid-random)')
      .option('--capacity <n>', 'the most partitions of one topology this worker takes')
      .option('--session-timeout <ms>', 'ZooKeeper session timeout: how fast a dead worker is noticed')
      .option('--flush-interval <ms>', 'checkpoint interval (for topologies deployed by `local`)'),
  ).action(async (flags) => {
    const config = configFrom(flags);
    const capacity = flags.capacity === undefined ? undefined : positiveInt(flags.capacity, '--capacity');
    await runWorker(new Worker({ config, id: flags.id, capacity }));
    process.exit(0);
  });

  withDeployFlags(
    program
      .command('local <topology>')
      .description('deploy a topology (built-in name or module path) and run it in this process')
      .option('--session-timeout <ms>', 'ZooKeeper session timeout'),
  ).action(async (ref: string, flags) => {
    const spec = await deployFrom(ref, flags);
    process.stdout.write(`${spec.description}\n`);
    await runWorker(new Worker({ config: configFrom(flags) }));
    process.exit(0);
  });
}
