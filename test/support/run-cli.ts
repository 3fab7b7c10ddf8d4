// Runs the `topology` command line as an operator would, in its own process
// group (killed as a group if it outlives its deadline), timing the answer.
import { fileURLToPath } from 'node:url';
import { runCommand, type CommandResult } from '../../deploy/stack/run-command';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type CliResult = CommandResult;

export function runCli(args: string[], env: NodeJS.ProcessEnv, deadlineMs = 60_000, opts: { closeStdout?: boolean } = {}): Promise<CliResult> {
  return runCommand(process.execPath, [`${ROOT}/bin/topology.js`, ...args], { cwd: ROOT, env, deadlineMs, ...opts });
}
