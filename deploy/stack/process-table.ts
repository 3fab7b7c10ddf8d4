// What the OS says about a pid: alive or not, when it started, what it runs.
// Linux answers from /proc; elsewhere `ps` does.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const HAS_PROC = existsSync('/proc/self/stat');

export interface ProcessFacts {
  pid: number;
  startTime: string;
  commandLine: string;
}

/** undefined when no such process runs (a zombie counts as gone). */
export function processFacts(pid: number): ProcessFacts | undefined {
  return HAS_PROC ? factsFromProc(pid) : factsFromPs(pid);
}

export function processAlive(pid: number): boolean {
  return processFacts(pid) !== undefined;
}

/** Parses /proc/<pid>/stat: the state and start time follow the parenthesised command name. */
export function parseProcStat(stat: string): { state: string; startTime: string } | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = stat.slice(close + 2).split(' ');
  const state = fields[0];
  const startTime = fields[19]; // field 22 of the full line
  if (!state || !startTime) return undefined;
  return { state, startTime };
}

function factsFromProc(pid: number): ProcessFacts | undefined {
  try {
    const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    if (!stat || stat.state === 'Z' || stat.state === 'X') return undefined;
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid, startTime: stat.startTime, commandLine };
  } catch {
    return undefined;
  }
}

function factsFromPs(pid: number): ProcessFacts | undefined {
  try {
    const out = execFileSync('ps', ['-ww', '-o', 'stat=', '-o', 'lstart=', '-o', 'args=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const match = /^(\S+)\s+(\w{3}\s+\w{3}\s+\d+\s+[\d:]+\s+\d{4})\s+(.*)$/.exec(out);
    if (!match || match[1]!.startsWith('Z')) return undefined;
    return { pid, startTime: match[2]!, commandLine: match[3]! };
  } catch {
    return undefined;
  }
}

/** Every live process whose command line contains `marker`. */
export function processesWithMarker(marker: string): ProcessFacts[] {
  const pids = HAS_PROC
    ? readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number)
    : psPids();
  const found: ProcessFacts[] = [];
  for (const pid of pids) {
    if (pid === process.pid) continue;
    const facts = processFacts(pid);
    if (facts && facts.commandLine.includes(marker)) found.push(facts);
  }
  return found;
}

function psPids(): number[] {
  const out = execFileSync('ps', ['-A', '-o', 'pid='], { encoding: 'utf8' });
  return out.split('\n').map((line) => Number(line.trim())).filter((pid) => pid > 0);
}
