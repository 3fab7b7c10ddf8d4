import type { Command } from 'commander';

export function registerDevCommands(program: Command): void {
  program.command('dev').description('run a local ZooKeeper, Kafka and Redis');
}
