// The fault suite's own local stack (test/faults/): faults kill, pause and
// restart its services, so it never is the shared test stack. One stack per
// `npm test` run, in the run's scratch directory on ports the OS chose free:
// the first fault file starts it, the next ones reuse it (bringing back any
// service a fault left down), and the test runner stops it at the end of the
// run, like every stack under TABSTREAM_TEST_SCRATCH.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startStack, stackStatus, type ServiceName } from '../../deploy/stack';
import { signal, stackHandle, type StackHandle } from './stack-handle';

export type FaultStack = StackHandle<ServiceName>;

/** Ports the OS says are free right now, so a test's own stack never meets another stack. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    ports.push((server.address() as { port: number }).port);
  }
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

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
