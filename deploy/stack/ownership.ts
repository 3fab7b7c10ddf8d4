// Is the process in a pid file still the one the stack started? Only when it
// is alive, started at the recorded time, and runs our config file. Anything
// else is a stale pid file: forgotten, never signalled.
import type { PidRecord } from './pid-file';
import { readPidFile, removePidFile } from './pid-file';
import type { ProcessFacts } from './process-table';
import { processFacts } from './process-table';
import type { ServiceName, StackLayout } from './layout';

export function isRecordedProcess(record: PidRecord, facts: ProcessFacts | undefined, marker: string): boolean {
  if (!facts || facts.pid !== record.pid) return false;
  if (record.startTime !== undefined && record.startTime !== facts.startTime) return false;
  return facts.commandLine.includes(record.marker ?? marker);
}

/** The pid of our running service, or undefined; a stale pid file is removed on the way. */
export async function ownedServicePid(layout: StackLayout, service: ServiceName, node = 1): Promise<number | undefined> {
  const pidFile = layout.pidFile(service, node);
  const record = await readPidFile(pidFile);
  if (record === undefined) {
    await removePidFile(pidFile);
    return undefined;
  }
  if (isRecordedProcess(record, processFacts(record.pid), layout.configFile(service, node))) return record.pid;
  await removePidFile(pidFile);
  return undefined;
}
