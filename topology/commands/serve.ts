import type { Command } from 'commander';
import pino from 'pino';
import { ClusterReader } from '../../ui/cluster-reader';
import { ApiServer } from '../../ui/api-server';
import { checkTopologyName } from '../../ui/api-routes';
import { configFrom, withConfigFlags } from './config-flags';
import { portFlag } from './port-flag';

/** `topology serve`: the HTTP API, the live dashboard and /metrics, until SIGTERM or SIGINT. */
export function registerServeCommand(program: Command): void {
  withConfigFlags(
    program
      .command('serve')
      .description('serve the HTTP API, the live dashboard (/) and Prometheus /metrics')
      .option('--port <port>', 'port to listen on (0 picks a free one)', '8080')
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--topology <name>', 'the topology shown when a request names none', 'taba'),
  ).action(async (flags) => {
    const port = portFlag(flags.port, '--port');
    const topology = checkTopologyName(flags.topology);
    const log = pino({ name: 'tabstream-serve' }, pino.destination(2));
    const reader = new ClusterReader(configFrom(flags));
    const server = await ApiServer.listen({ reader, topology, log }, port, flags.host);
    process.stdout.write(`serving ${server.url} (dashboard /, API /api/..., metrics /metrics; topology ${topology})\n`);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    log.info({ signal }, 'stopping');
    await server.close();
    await reader.close();
    process.exit(0);
  });
}
