// The `topology` command line: each command group lives in topology/commands/.
import { Command } from 'commander';
import { registerDevCommands } from './commands/dev';
import { registerClusterCommands } from './commands/cluster';
import { registerWorkerCommands } from './commands/worker';
import { registerQueryCommands } from './commands/query';
import { registerDemoCommand } from './commands/demo';
import { registerServeCommand } from './commands/serve';

const program = new Command('topology')
  .description('Tabstream: realtime event aggregation on Kafka, ZooKeeper and Redis')
  .showHelpAfterError();

registerDevCommands(program);
registerClusterCommands(program);
registerWorkerCommands(program);
registerQueryCommands(program);
registerDemoCommand(program);
registerServeCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`topology: ${message}\n`);
  process.exit(1);
});
