// One program run to its end, in its own process group, killed as a group
// (SIGKILL) if it outlives its deadline: what the stack's tools (openssl)
// and the tests' CLI runs need.
import { spawn } from 'node:child_process';

export interface CommandResult {
  /** The exit code; null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** How long it ran. */
  ms: number;
  /** It was killed at its deadline. */
  timedOut: boolean;
}

export interface RunOptions {
  /** Killed past this long (ms). */
  deadlineMs: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Close the reading end of its stdout at once, as `| head` does once it has read enough (what it writes is lost). */
  closeStdout?: boolean;
}

/** Runs `command` with `args`; resolves with how it ended (whatever its exit code), rejects only when it could not be started. */
export function runCommand(command: string, args: string[], opts: RunOptions): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    if (opts.closeStdout) child.stdout.destroy();
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone already
      }
    }, opts.deadlineMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not run: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, timedOut });
    });
  });
}
