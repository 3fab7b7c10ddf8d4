// One start or stop at a time per stack directory, across processes (two
// test runs may share .stack-test/). The lock file holds its owner's pid, so
// a lock left by a dead process is taken over. Re-entrant within a process.
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { StackError } from './errors';
import type { StackLayout } from './layout';
import { parsePidFile } from './pid-file';
import { processAlive } from './process-table';
import { sleep } from './service-process';

const held = new Map<string, number>();
const LOCK_WAIT_MS = 300_000; // a cold start (Maven download, Kafka boot) can take minutes

export async function withStackLock<T>(layout: StackLayout, work: () => Promise<T>): Promise<T> {
  const depth = held.get(layout.lockFile) ?? 0;
  if (depth === 0) await acquire(layout);
  held.set(layout.lockFile, depth + 1);
  try {
    return await work();
  } finally {
    held.set(layout.lockFile, (held.get(layout.lockFile) ?? 1) - 1);
    if (held.get(layout.lockFile) === 0) {
      held.delete(layout.lockFile);
      await rm(layout.lockFile, { force: true });
    }
  }
}

async function acquire(layout: StackLayout): Promise<void> {
  await mkdir(layout.dir, { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(layout.lockFile, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = parsePidFile(await readFile(layout.lockFile, 'utf8').catch(() => ''));
    // No readable owner may be a lock being written this instant; only a dead owner is taken over at once.
    if (owner ? !processAlive(owner.pid) : await olderThan(layout.lockFile, 5_000)) await rm(layout.lockFile, { force: true });
    if (Date.now() >= deadline) {
      throw new StackError('LOCK_TIMEOUT', `another process (${owner ? `pid ${owner.pid}` : 'unknown'}) has held ${layout.lockFile} for ${LOCK_WAIT_MS / 1000} s`);
    }
    await sleep(200);
  }
}

async function olderThan(file: string, ms: number): Promise<boolean> {
  const info = await stat(file).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > ms;
}
