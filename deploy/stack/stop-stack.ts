// stopStack: stop exactly what the stack started (by recorded pid, SIGTERM
// then SIGKILL after a grace period), then make sure no process of this
// stack directory is left, even one whose pid file was lost.
import { StackError } from './errors';
import { stackLayout, stackNodes } from './layout';
import type { ServiceName, StackLayout } from './layout';
import { stackPorts } from './stack-status';
import { processesWithMarker } from './process-table';
import type { Log } from './service-lifecycle';
import { haltService } from './service-lifecycle';
import { signalUntilGone } from './service-process';
import { readStackFile, shapeOf, writeStackFile } from './stack-file';
import { withStackLock } from './stack-lock';

const SERVICE_MAIN_PROGRAMS = ['QuorumPeerMain', 'kafka.Kafka', 'redis-server'];

export async function stopStack(dir?: string, opts: { log?: (line: string) => void } = {}): Promise<void> {
  const layout = stackLayout(dir);
  const log: Log = opts.log ?? (() => undefined);
  await withStackLock(layout, async () => {
    const ports = await stackPorts(layout);
    const nodesOf = (service: ServiceName) => stackNodes(ports).filter((n) => n.service === service);
    // Sentinels before the servers they watch: one that saw its master go down would fail over to a replica being stopped.
    await Promise.all(nodesOf('sentinel').map(({ node }) => haltService(layout, 'sentinel', 'SIGTERM', log, node)));
    // Then Kafka: a broker whose ZooKeeper is gone cannot shut down cleanly. Brokers one at a
    // time, last first: each hands its leaderships to those still up (controlled shutdown).
    for (const { node } of nodesOf('kafka').reverse()) await haltService(layout, 'kafka', 'SIGTERM', log, node);
    await Promise.all([...nodesOf('zookeeper'), ...nodesOf('redis')].map(({ service, node }) => haltService(layout, service, 'SIGTERM', log, node)));
    for (const stray of strayProcesses(layout)) {
      log(`stack: stopping stray pid ${stray.pid} (${stray.commandLine.slice(0, 80)})`);
      await signalUntilGone(stray.pid, 'SIGTERM', 10_000);
    }
    const left = strayProcesses(layout);
    if (left.length > 0) {
      throw new StackError('STOP_FAILED', `processes of the stack in ${layout.dir} are still running: ${left.map((p) => p.pid).join(', ')}`);
    }
    const recorded = await readStackFile(layout);
    if (recorded?.startedForLeases) await writeStackFile(layout, shapeOf(recorded));
  });
}

/** Service processes that run a config from this stack's directory. */
export function strayProcesses(layout: StackLayout) {
  return processesWithMarker(`${layout.configDir}/`).filter((facts) =>
    SERVICE_MAIN_PROGRAMS.some((program) => facts.commandLine.includes(program)),
  );
}
