// Start or stop one service of a running stack, e.g. for a fault test that
// kills Redis or Kafka mid-stream and brings it back.
import type { ServiceName } from './layout';
import { assertServiceName, stackLayout } from './layout';
import type { Log } from './service-lifecycle';
import { haltService, launchService, runtimesFor, waitUntilReady } from './service-lifecycle';
import { withStackLock } from './stack-lock';
import type { StackInfo } from './stack-status';
import { runningServices, stackPorts, stackStatus } from './stack-status';

export interface ServiceControlOptions {
  log?: (line: string) => void;
}

export async function startService(dir: string, name: ServiceName, opts: ServiceControlOptions = {}): Promise<StackInfo> {
  const service = assertServiceName(name);
  const layout = stackLayout(dir);
  const log: Log = opts.log ?? (() => undefined);
  return withStackLock(layout, async () => {
    const ports = await stackPorts(layout);
    const pid = (await runningServices(layout))[service];
    if (pid !== undefined) await waitUntilReady(layout, ports, service, pid);
    else await launchService(layout, ports, service, await runtimesFor([service], log), log);
    return stackStatus(layout.dir);
  });
}

export async function stopService(
  dir: string,
  name: ServiceName,
  opts: ServiceControlOptions & { signal?: 'SIGTERM' | 'SIGKILL' } = {},
): Promise<StackInfo> {
  const service = assertServiceName(name);
  const layout = stackLayout(dir);
  return withStackLock(layout, async () => {
    await haltService(layout, service, opts.signal ?? 'SIGTERM', opts.log ?? (() => undefined));
    return stackStatus(layout.dir);
  });
}
