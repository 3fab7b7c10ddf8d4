// Starting and signalling one service process. Processes run detached (their
// own process group, output appended to the service's log) so they outlive
// the command that started them; the pid file is the only handle kept.
import { spawn } from 'node:child_process';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { StackError } from './errors';
import type { LaunchPlan } from './launch-plans';
import type { ServiceName, StackLayout } from './layout';
import { writePidFile } from './pid-file';
import { processFacts } from './process-table';

export interface SpawnedService {
  pid: number;
  /** Byte offset in the log where this run's output begins. */
  logOffset: number;
}

export async function spawnService(layout: StackLayout, service: ServiceName, plan: LaunchPlan, node = 1): Promise<SpawnedService> {
  const logFile = layout.logFile(service, node);
  const fd = openSync(logFile, 'a');
  const logOffset = statSync(logFile).size;
  const child = (() => {
    try {
      writeSync(fd, `\n=== ${new Date().toISOString()} starting ${service}: ${plan.command} ${plan.args.join(' ')}\n`);
      return spawn(plan.command, plan.args, { cwd: layout.dir, detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd); // the child holds its own copy
    }
  })();
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid!));
    child.once('error', (err) => reject(new StackError('SERVICE_EXITED', `${service} could not be started (${plan.command}): ${err.message}`)));
  });
  child.unref();
  const facts = processFacts(pid);
  await writePidFile(layout.pidFile(service, node), {
    pid,
    ...(facts && { startTime: facts.startTime }),
    marker: layout.configFile(service, node),
  });
  return { pid, logOffset };
}

/** Sends `signal`; after graceMs without exit, SIGKILL. Resolves true once the process is gone. */
export async function signalUntilGone(pid: number, signal: 'SIGTERM' | 'SIGKILL', graceMs: number): Promise<boolean> {
  const facts = processFacts(pid);
  if (!facts) return true;
  sendSignal(pid, signal);
  if (await waitGone(pid, facts.startTime, graceMs)) return true;
  // Still the same process (same start time)? Then it ignored us: kill it.
  if (processFacts(pid)?.startTime === facts.startTime) sendSignal(pid, 'SIGKILL');
  return waitGone(pid, facts.startTime, 5_000);
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

async function waitGone(pid: number, startTime: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (processFacts(pid)?.startTime !== startTime) return true;
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The last `lines` lines of a log, from byte `fromOffset` on. */
export async function logTail(file: string, lines: number, fromOffset = 0): Promise<string> {
  try {
    const text = (await readFile(file)).subarray(fromOffset).toString('utf8');
    return text.split('\n').filter((line) => line.length > 0).slice(-lines).join('\n');
  } catch {
    return '';
  }
}
