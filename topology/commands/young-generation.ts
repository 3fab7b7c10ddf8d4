// A worker's young generation. Its heap churns through short-lived objects
// (a slice's tuples, fetched and thawed states, a checkpoint's bytes) that
// live through a few of Node's default 16 MiB scavenges and are copied each
// time; a larger young generation lets most die young. V8 sizes it only at
// start, so the worker process starts itself again (same pid, execve) with
// the flag, unless it was given one.
const FLAG = '--max-semi-space-size';

/** The semi-space a worker asks for by default, MiB (Node's own: 16). */
export const DEFAULT_SEMI_SPACE_MIB = 64;

/**
 * Replaces this process with itself and `--max-semi-space-size=<mib>` when
 * the flag is not set already (on the command line or in NODE_OPTIONS) and
 * Node can (process.execve, Node 22.15+); returns when it does not (0 MiB:
 * Node's own size).
 */
export function restartWithSemiSpace(mib: number): void {
  if (mib === 0 || process.execArgv.some((a) => a.startsWith(FLAG)) || (process.env.NODE_OPTIONS ?? '').includes(FLAG)) return;
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  if (typeof execve !== 'function') return;
  execve.call(process, process.execPath, [process.execPath, `${FLAG}=${mib}`, ...process.execArgv, ...process.argv.slice(1)], process.env);
}
