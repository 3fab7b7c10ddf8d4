// A worker's young generation. Its heap churns through short-lived objects
// (a slice's tuples, fetched and thawed states, a checkpoint's bytes) that
// live through a few of Node's default 16 MiB scavenges and are copied each
// time; a larger young generation lets more of them die young, for more
// memory. V8 sizes it only at start, so a worker asked for one starts itself
// again (same pid, execve) with the flag, unless it was given one already.
const FLAG = '--max-semi-space-size';

/**
 * The semi-space a worker asks for by default, MiB: 0, Node's own (16).
 * 64 measured 773 k events/s end to end at Taba's full state against
 * 661-733 k without, within the runs' spread, and took the survivor of a
 * take-over past 1 GiB of RSS (1.12 GiB against 0.74-0.86): not the default.
 */
export const DEFAULT_SEMI_SPACE_MIB = 0;

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
