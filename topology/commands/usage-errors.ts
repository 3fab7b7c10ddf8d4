import type { Command } from 'commander';

/**
 * Commander's usage errors (an unknown option or command, a missing or extra
 * argument, a flag without its value) as every other error of the CLI: one
 * line, `topology: <message>`, naming the help that lists what the command
 * takes, rather than the whole usage. Exit code 1, as commander gives.
 * Call once every command is registered: each gets its own line.
 */
export function oneLineUsageErrors(program: Command): void {
  const visit = (cmd: Command, path: string): void => {
    cmd.configureOutput({ outputError: (message, write) => write(`${usageError(message, path)}\n`) });
    for (const sub of cmd.commands) visit(sub, `${path} ${sub.name()}`);
  };
  visit(program, program.name());
}

/**
 * `error: unknown option '--x'\n(Did you mean --y?)\n` of `topology list` ->
 * `topology: unknown option '--x', did you mean --y? (see topology list --help)`.
 */
export function usageError(message: string, command: string): string {
  const [first = '', ...more] = message
    .trim()
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const hints = more.map((line) => line.replace(/^\((.*)\)$/, '$1').replace(/^Did you mean/, 'did you mean'));
  const text = [first.replace(/^error: /, '').replace(/\.$/, ''), ...hints].join(', ');
  return `topology: ${text} (see ${command} --help)`;
}
