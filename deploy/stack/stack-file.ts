// stack.json remembers a stack's ports, so `status`, `down` and a second `up`
// on the same directory find the services without being told again.
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import { parseJsonRecord } from './json-record';
import type { StackLayout, StackPorts } from './layout';

export interface StackFile extends StackPorts {
  /** Set when the test runner started this stack; the last runner to leave stops it. */
  startedForLeases?: boolean;
}

export function parseStackFile(text: string): StackFile | undefined {
  const record = parseJsonRecord(text);
  if (!record) return undefined;
  const ports = [record.zkPort, record.kafkaPort, record.redisPort];
  if (!ports.every(isPort)) return undefined;
  return {
    zkPort: record.zkPort as number,
    kafkaPort: record.kafkaPort as number,
    redisPort: record.redisPort as number,
    ...(record.startedForLeases === true && { startedForLeases: true }),
    ...(typeof record.groupInitialRebalanceDelayMs === 'number' && { groupInitialRebalanceDelayMs: record.groupInitialRebalanceDelayMs }),
    ...(isNodeCount(record.brokers) && record.brokers > 1 && { brokers: record.brokers }),
    ...(isNodeCount(record.zkNodes) && record.zkNodes > 1 && { zkNodes: record.zkNodes }),
    ...((record.redisMode === 'cluster' || record.redisMode === 'sentinel') && { redisMode: record.redisMode }),
    ...(record.secure === true && { secure: true }),
    ...(record.redisTls === true && { redisTls: true as const }),
  };
}

/** The ports and shape a stack file records, without the runner's bookkeeping. */
export function shapeOf(file: StackFile): StackPorts {
  const { startedForLeases: _bookkeeping, ...ports } = file;
  return ports;
}

function isNodeCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 9;
}

export function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 65536;
}

export async function readStackFile(layout: StackLayout): Promise<StackFile | undefined> {
  try {
    return parseStackFile(await readFile(layout.stackFile, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function writeStackFile(layout: StackLayout, file: StackFile): Promise<void> {
  await mkdir(layout.dir, { recursive: true });
  const tmp = `${layout.stackFile}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(file, null, 2)}\n`);
  await rename(tmp, layout.stackFile);
}
