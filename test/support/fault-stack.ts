// The fault suite's own local stack (test/faults/): faults kill, pause and
// restart its services, so it never is the shared test stack. One stack per
// `npm test` run, in the run's scratch directory on ports free when it starts (free-ports.ts):
// the first fault file starts it, the next ones reuse it (bringing back any
// service a fault left down), and the test runner stops it at the end of the
// run, like every stack under TABSTREAM_TEST_SCRATCH.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startStack, stackStatus, type ServiceName } from '../../deploy/stack';
import { freePorts } from './free-ports';
import { signal, stackHandle, type StackHandle } from './stack-handle';

export type FaultStack = StackHandle<ServiceName>;

/** Starts (or reuses, and completes) this run's fault stack. */
export async function faultStack(): Promise<FaultStack> {
  const dir = join(process.env.TABSTREAM_TEST_SCRATCH || tmpdir(), 'fault-stack');
  let info;
  if (existsSync(join(dir, 'stack.json'))) {
    // Reused: a fault may have left a service stopped or paused.
    const status = await stackStatus(dir);
    for (const service of ['zookeeper', 'kafka', 'redis'] as const) {
      const pid = status.services[service].pid;
      if (status.services[service].running && pid) signal(pid, 'SIGCONT');
    }
    info = await startStack({ dir });
  } else {
    const [zkPort, kafkaPort, redisPort] = (await freePorts(3)) as [number, number, number];
    // A broker as production runs it: Kafka's default group delay (workers must not depend on groups).
    info = await startStack({ dir, zkPort, kafkaPort, redisPort, groupInitialRebalanceDelayMs: 3000 });
  }
  return stackHandle<ServiceName>(dir, info, '/tabstream-faults');
}
