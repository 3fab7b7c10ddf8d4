// Child processes a test starts in process groups of their own (spawned
// `detached`): signalled as a group, and killed when the test process exits,
// so an interrupted test leaves none behind.
import type { ChildProcess } from 'node:child_process';

const running = new Set<number>();
process.once('exit', () => {
  for (const pid of running) signalGroup(pid, 'SIGKILL');
});

/** Kills `child`'s group when the test process exits before it does. */
export function trackGroup(child: ChildProcess): void {
  const pid = child.pid!;
  running.add(pid);
  child.once('exit', () => running.delete(pid));
}

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}
