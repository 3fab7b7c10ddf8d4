// startStack: bring up whatever of the stack is missing in a directory and
// wait until all three answer. Idempotent: running services of ours are
// reused, stale pid files ignored, a half-started stack completed.
import { StackError } from './errors';
import type { ServiceName, StackPorts } from './layout';
import { DEFAULT_PORTS, SERVICE_NAMES, portOf, stackLayout } from './layout';
import { assertPortFree } from './port-check';
import type { Log } from './service-lifecycle';
import { haltService, launchService, runtimesFor, waitUntilReady } from './service-lifecycle';
import { readStackFile, writeStackFile } from './stack-file';
import { withStackLock } from './stack-lock';
import type { StackInfo } from './stack-status';
import { runningServices, stackStatus } from './stack-status';

export interface StartStackOptions {
  dir?: string;
  zkPort?: number;
  kafkaPort?: number;
  redisPort?: number;
  /** The broker's `group.initial.rebalance.delay.ms` (default 0; Kafka's own default is 3000). */
  groupInitialRebalanceDelayMs?: number;
  log?: (line: string) => void;
}

export async function startStack(opts: StartStackOptions = {}): Promise<StackInfo> {
  const layout = stackLayout(opts.dir);
  const log: Log = opts.log ?? (() => undefined);
  return withStackLock(layout, async () => {
    const recorded = await readStackFile(layout);
    const recordedPorts: StackPorts = recorded ?? DEFAULT_PORTS;
    const ports: StackPorts = {
      zkPort: opts.zkPort ?? recordedPorts.zkPort,
      kafkaPort: opts.kafkaPort ?? recordedPorts.kafkaPort,
      redisPort: opts.redisPort ?? recordedPorts.redisPort,
    };
    const groupDelay = opts.groupInitialRebalanceDelayMs ?? recorded?.groupInitialRebalanceDelayMs;
    if (groupDelay !== undefined) ports.groupInitialRebalanceDelayMs = groupDelay;
    const running = await runningServices(layout);
    for (const service of SERVICE_NAMES) {
      if (running[service] !== undefined && portOf(recordedPorts, service) !== portOf(ports, service)) {
        throw new StackError(
          'PORTS_CHANGED',
          `${service} of the stack in ${layout.dir} already runs on port ${portOf(recordedPorts, service)}; run \`topology dev down\` first to change ports`,
        );
      }
    }
    await writeStackFile(layout, { ...ports, ...(recorded?.startedForLeases && { startedForLeases: true }) });

    const missing = SERVICE_NAMES.filter((service) => running[service] === undefined);
    for (const service of SERVICE_NAMES) {
      if (running[service] !== undefined) log(`${service}: already running (pid ${running[service]})`);
    }
    // Every check (programs, jars, ports) happens before the first process starts.
    const runtimes = await runtimesFor(missing, log);
    for (const service of missing) await assertPortFree(portOf(ports, service), service);

    const startedNow: ServiceName[] = [];
    const bringUp = async (service: ServiceName): Promise<void> => {
      const pid = running[service];
      if (pid !== undefined) return waitUntilReady(layout, ports, service, pid);
      await launchService(layout, ports, service, runtimes, log);
      startedNow.push(service);
    };
    try {
      // ZooKeeper and Redis start side by side; Kafka needs ZooKeeper.
      await settleAll([bringUp('zookeeper'), bringUp('redis')]);
      await bringUp('kafka');
    } catch (err) {
      for (const service of startedNow.reverse()) await haltService(layout, service, 'SIGKILL', log).catch(() => undefined);
      throw err;
    }
    return stackStatus(layout.dir);
  });
}

/** Like Promise.all, but waits for every promise before rejecting, so nothing is still starting while we clean up. */
async function settleAll(promises: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
}
