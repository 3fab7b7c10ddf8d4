// Several test runs may share one test stack (.stack-test/). Each holds a
// lease while it runs; a stack that a runner started is stopped by the last
// runner to leave, and a stack someone started by hand is left running.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stackLayout } from './layout';
import type { StackLayout } from './layout';
import { processAlive } from './process-table';
import { readStackFile, writeStackFile } from './stack-file';
import { withStackLock } from './stack-lock';
import type { StartStackOptions } from './start-stack';
import { startStack } from './start-stack';
import type { StackInfo } from './stack-status';
import { stackStatus } from './stack-status';
import { stopStack } from './stop-stack';

export interface StackLease {
  info: StackInfo;
  /** True when this lease found no service running and started the stack. */
  startedStack: boolean;
  /** Gives the lease back; stops the stack when a runner started it and no other lease is live. */
  release(): Promise<void>;
}

export async function leaseStack(opts: StartStackOptions = {}): Promise<StackLease> {
  const layout = stackLayout(opts.dir);
  const leaseFile = join(layout.leasesDir, String(process.pid));
  return withStackLock(layout, async () => {
    const before = await stackStatus(layout.dir);
    const nothingRan = before.nodes.every((node) => !node.running);
    const info = await startStack(opts);
    if (nothingRan) {
      const recorded = await readStackFile(layout);
      if (recorded) await writeStackFile(layout, { ...recorded, startedForLeases: true });
    }
    await mkdir(layout.leasesDir, { recursive: true });
    await writeFile(leaseFile, `${process.pid}\n`);
    let released = false;
    return {
      info,
      startedStack: nothingRan,
      release: async () => {
        if (released) return;
        released = true;
        await withStackLock(layout, async () => {
          await rm(leaseFile, { force: true });
          const others = await liveLeases(layout);
          const recorded = await readStackFile(layout);
          if (recorded?.startedForLeases && others.length === 0) await stopStack(layout.dir, opts);
        });
      },
    };
  });
}

/** Pids holding a lease; leases of dead processes are dropped. */
async function liveLeases(layout: StackLayout): Promise<number[]> {
  const names = await readdir(layout.leasesDir).catch(() => [] as string[]);
  const live: number[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) live.push(pid);
    else await rm(join(layout.leasesDir, name), { force: true });
  }
  return live;
}
