// A pid file records which process the stack started, with enough to tell
// later whether that pid still is that process (pids get reused).
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseJsonRecord } from './json-record';

export interface PidRecord {
  pid: number;
  /** Kernel start time of the process (clock ticks since boot, Linux); absent when unknown. */
  startTime?: string;
  /** A string that must appear on the process's command line (our config file's path). */
  marker?: string;
}

export function formatPidFile(record: PidRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/** Reads a pid file's text; undefined when it is not one (empty, truncated, garbage). A bare pid is accepted. */
export function parsePidFile(text: string): PidRecord | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return validPid(Number(trimmed)) ? { pid: Number(trimmed) } : undefined;
  const parsed = parseJsonRecord(trimmed);
  if (!parsed) return undefined;
  const { pid, startTime, marker } = parsed;
  if (typeof pid !== 'number' || !validPid(pid)) return undefined;
  if (startTime !== undefined && typeof startTime !== 'string') return undefined;
  if (marker !== undefined && typeof marker !== 'string') return undefined;
  return { pid, ...(startTime !== undefined && { startTime }), ...(marker !== undefined && { marker }) };
}

function validPid(pid: number): boolean {
  return Number.isInteger(pid) && pid > 1 && pid < 2 ** 31;
}

export async function readPidFile(path: string): Promise<PidRecord | undefined> {
  try {
    return parsePidFile(await readFile(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function writePidFile(path: string, record: PidRecord): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, formatPidFile(record));
}

export async function removePidFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
