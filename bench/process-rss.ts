import { readFileSync } from 'node:fs';

/** A `/proc/<pid>/status` size field (kB) in bytes, or NaN once the process is gone. */
function statusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? Number.NaN : Number(kb) * 1024;
  } catch {
    return Number.NaN;
  }
}

/** Resident set size of a process in bytes (Linux /proc), or NaN once it is gone. */
export function rssOf(pid: number): number {
  return statusBytes(pid, 'VmRSS');
}

/** The highest resident set size a process has had since it started (VmHWM), in bytes, or NaN once it is gone. */
export function peakRssOf(pid: number): number {
  return statusBytes(pid, 'VmHWM');
}
