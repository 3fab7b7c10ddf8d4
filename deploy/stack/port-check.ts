// Before a service starts, its port must be free: a port held by someone
// else's process is reported with who holds it, and nothing is started.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { StackError } from './errors';
import type { ServiceName } from './layout';
import { portOption } from './layout';

export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function assertPortFree(port: number, service: ServiceName): Promise<void> {
  if (await portIsFree(port)) return;
  const holder = portHolder(port);
  throw new StackError(
    'PORT_IN_USE',
    `port ${port} for ${service} is in use by another process${holder ? ` (${holder})` : ''}; stop it or choose another port (${portOption(service)})`,
  );
}

/** Best effort: `ss` names the listening process when we may see it. */
function portHolder(port: number): string | undefined {
  const ss = spawnSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
  if (ss.status !== 0) return undefined;
  const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(ss.stdout);
  return match ? `${match[1]} pid ${match[2]}` : undefined;
}
