// stopStack: stop exactly what the stack started (by recorded pid, SIGTERM
// then SIGKILL after a grace period), then make sure no process of this
// stack directory is left, even one whose pid file was lost.
import { StackError } from './errors';
import { stackLayout } from './layout';
import type { StackLayout } from './layout';
import { processesWithMarker } from './process-table';
import type { Log } from './service-lifecycle';
import { haltService } from './service-lifecycle';
import { signalUntilGone } from './service-process';
import { readStackFile, writeStackFile } from './stack-file';
import { withStackLock } from './stack-lock';

const SERVICE_MAIN_PROGRAMS = ['QuorumPeerMain', 'kafka.Kafka', 'redis-server'];

export async function stopStack(dir?: string, opts: { log?: (line: string) => void } = {}): Promise<void> {
  const layout = stackLayout(dir);
  const log: Log = opts.log ?? (() => undefined);
  await withStackLock(layout, async () => {
    // Kafka first: a broker whose ZooKeeper is gone cannot shut down cleanly.
    await haltService(layout, 'kafka', 'SIGTERM', log);
    await Promise.all([haltService(layout, 'zookeeper', 'SIGTERM', log), haltService(layout, 'redis', 'SIGTERM', log)]);
    for (const stray of strayProcesses(layout)) {
      log(`stack: stopping stray pid ${stray.pid} (${stray.commandLine.slice(0, 80)})`);
      await signalUntilGone(stray.pid, 'SIGTERM', 10_000);
    }
    const left = strayProcesses(layout);
    if (left.length > 0) {
      throw new StackError('STOP_FAILED', `processes of the stack in ${layout.dir} are still running: ${left.map((p) => p.pid).join(', ')}`);
    }
    const recorded = await readStackFile(layout);
    if (recorded?.startedForLeases) {
      await writeStackFile(layout, { zkPort: recorded.zkPort, kafkaPort: recorded.kafkaPort, redisPort: recorded.redisPort });
    }
  });
}

/** Service processes that run a config from this stack's directory. */
export function strayProcesses(layout: StackLayout) {
  return processesWithMarker(`${layout.configDir}/`).filter((facts) =>
    SERVICE_MAIN_PROGRAMS.some((program) => facts.commandLine.includes(program)),
  );
}
