// The `topology` command line: each command group lives in topology/commands/.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerDevCommands } from './commands/dev';
import { registerClusterCommands } from './commands/cluster';
import { registerOffsetsCommand } from './commands/offsets';
import { registerWorkerCommands } from './commands/worker';
import { registerQueryCommands } from './commands/query';
import { registerDemoCommand } from './commands/demo';
import { registerServeCommand } from './commands/serve';
import { endQuietlyWhenOutputCloses } from './closed-output';
import { oneLineUsageErrors } from './commands/usage-errors';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

endQuietlyWhenOutputCloses();

const program = new Command('topology')
  .description('Tabstream: realtime event aggregation on Kafka, ZooKeeper and Redis')
  .version(`tabstream ${version} on Node ${process.version}`, '-V, --version', "Tabstream's version and the Node it runs on");

registerDevCommands(program);
registerClusterCommands(program);
registerOffsetsCommand(program);
registerWorkerCommands(program);
registerQueryCommands(program);
registerDemoCommand(program);
registerServeCommand(program);
oneLineUsageErrors(program);

// A command is over when its action is: a client library's lingering socket or
// reconnect timer (a Redis or Kafka that stopped answering) must not keep it alive.
program.parseAsync(process.argv).then(() => process.exit(), (err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`topology: ${message}\n`);
  process.exit(1);
});
