// A worker's young generation. Its heap churns through short-lived objects
// (a slice's tuples, fetched and thawed states, a checkpoint's bytes) that
// live through a few of Node's default 16 MiB scavenges and are copied each
// time; a larger young generation lets more of them die young, for more
// memory. V8 sizes it only at start, so a worker asked for one starts itself
// again (same pid, execve) with the flag, unless it was given one already.
//
// Plain JavaScript so that bin/topology.js can decide before it loads tsx and
// the CLI: starting again then costs a Node start-up (~50 ms), not the
// CLI's (~0.7 s). The commands call it too, for a CLI run another way.
const FLAG = '--max-semi-space-size';
const COMMANDS = new Set(['worker', 'local']);

/**
 * The semi-space a worker asks for by default, MiB (0 keeps Node's own 16).
 * 32: at 390 k events/s a worker's CPU went down 4-9 % and at Taba's full
 * state 566 k -> 625 k events/s end to end, the survivor of a take-over
 * peaking at 723 MiB of RSS (646 without). 64 took that survivor past 1 GiB
 * (1.12 GiB against 0.74-0.86) for a gain within the runs' spread.
 */
export const DEFAULT_SEMI_SPACE_MIB = 32;

/**
 * The semi-space a command line (without `node` and the script) asks for:
 * for `worker` and `local`, `--semi-space-mib <n>` or the default; undefined
 * for other commands and for a value that is not a whole number (the
 * command's own parsing refuses it).
 */
export function semiSpaceMibOf(args) {
  if (!COMMANDS.has(args[0])) return undefined;
  let value = null;
  for (let i = 1; i < args.length; i++) {
    if (args[i] === '--') break;
    if (args[i] === '--semi-space-mib') value = args[i + 1] ?? '';
    else if (args[i].startsWith('--semi-space-mib=')) value = args[i].slice('--semi-space-mib='.length);
  }
  if (value === null) return DEFAULT_SEMI_SPACE_MIB;
  return /^\d{1,6}$/.test(value) ? Number(value) : undefined;
}

/**
 * Replaces this process with itself and `--max-semi-space-size=<mib>` when
 * the flag is not set already (on the command line or in NODE_OPTIONS) and
 * Node can (process.execve, Node 22.15+); returns when it does not (0 MiB:
 * Node's own size).
 */
export function restartWithSemiSpace(mib) {
  if (mib === undefined || mib === 0 || process.execArgv.some((a) => a.startsWith(FLAG)) || (process.env.NODE_OPTIONS ?? '').includes(FLAG)) return;
  if (typeof process.execve !== 'function') return;
  process.execve(process.execPath, [process.execPath, `${FLAG}=${mib}`, ...process.execArgv, ...process.argv.slice(1)], process.env);
}
