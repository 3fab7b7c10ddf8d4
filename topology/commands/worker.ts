import type { Command } from 'commander';
import { configFrom, deployFrom, positiveInt, withConfigFlags, withDeployFlags } from './config-flags';
import { portFlag } from './port-flag';
import { specDescriptionText } from '../deploy/spec-description';
import { DEFAULT_SEMI_SPACE_MIB, restartWithSemiSpace } from './young-generation.js';
import { DEFAULT_CONFIG } from '../config';

export function registerWorkerCommands(program: Command): void {
  withConfigFlags(
    program
      .command('worker')
      .description('join the cluster and run the tasks the leader assigns to this worker')
      .option('--id <id>', 'worker id (default: host-pid-random)')
      .option('--capacity <n>', 'the most partitions of one topology this worker takes')
      .option('--session-timeout <ms>', 'ZooKeeper session timeout: how fast a dead worker is noticed')
      .option('--working-set-mib <mib>', `memory for states, MiB: a cache of what Redis holds (env TABSTREAM_WORKING_SET_MIB; default ${DEFAULT_CONFIG.workingSetMiB})`)
      .option('--metrics-port <port>', 'serve Prometheus /metrics on this port (off by default; 0 picks a free port)')
      .option('--metrics-host <host>', 'address /metrics listens on', '127.0.0.1')
      .option('--semi-space-mib <mib>', `V8's young generation (semi-space) size, MiB, for which the worker starts itself again; 0 keeps Node's own 16 (default ${DEFAULT_SEMI_SPACE_MIB})`),
  ).action(async (flags) => {
    const config = configFrom(flags);
    restartWithSemiSpace(semiSpaceMib(flags.semiSpaceMib));
    const capacity = flags.capacity === undefined ? undefined : positiveInt(flags.capacity, '--capacity');
    const metrics = flags.metricsPort === undefined ? undefined : { port: portFlag(flags.metricsPort, '--metrics-port'), host: flags.metricsHost as string };
    const { runWorker, Worker } = await import('./run-worker');
    await runWorker(new Worker({ config, id: flags.id, capacity }), metrics);
    process.exit(0);
  });

  withDeployFlags(
    program
      .command('local <topology>')
      .description('deploy a topology (built-in name or module path) and run it in this process')
      .option('--session-timeout <ms>', 'ZooKeeper session timeout')
      .option('--working-set-mib <mib>', `memory for states, MiB (env TABSTREAM_WORKING_SET_MIB; default ${DEFAULT_CONFIG.workingSetMiB})`)
      .option('--semi-space-mib <mib>', `V8's young generation (semi-space) size, MiB, for which the worker starts itself again; 0 keeps Node's own 16 (default ${DEFAULT_SEMI_SPACE_MIB})`),
  ).action(async (ref: string, flags) => {
    restartWithSemiSpace(semiSpaceMib(flags.semiSpaceMib));
    const spec = await deployFrom(ref, flags);
    process.stdout.write(`${specDescriptionText(spec)}\n`);
    const { runWorker, Worker } = await import('./run-worker');
    await runWorker(new Worker({ config: configFrom(flags) }));
    process.exit(0);
  });
}

function semiSpaceMib(flag: string | undefined): number {
  if (flag === undefined) return DEFAULT_SEMI_SPACE_MIB;
  if (flag === '0') return 0;
  return positiveInt(flag, '--semi-space-mib');
}
