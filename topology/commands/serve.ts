import type { Command } from 'commander';
import pino from 'pino';
import { ClusterReader } from '../../ui/cluster-reader';
import { ApiServer } from '../../ui/api-server';
import { checkTopologyName } from '../../ui/api-routes';
import { assertMayListen, serveSecurity } from '../../ui/serve-security';
import { configFrom, withConfigFlags } from './config-flags';
import { portFlag } from './port-flag';
import { DEFAULT_METRICS_MAX_TABS, type TabMetricsOptions } from '../../ui/tab-metrics';
import { compilePattern } from '../../state/user-pattern';

/** `topology serve`: the HTTP API, the live dashboard and /metrics, until SIGTERM or SIGINT. */
export function registerServeCommand(program: Command): void {
  withConfigFlags(
    program
      .command('serve')
      .description('serve the HTTP API, the live dashboard (/) and Prometheus /metrics')
      .option('--port <port>', 'port to listen on (0 picks a free one)', '8080')
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--topology <name>', 'the topology shown when a request names none', 'taba')
      .option('--deadline <ms>', 'a request not answered within this long gets a 503; its query is stopped (queries also stop past 1 M states, 2 M names or 20 000 Tabs read, 16 MiB answered: a 413)', '1900')
      .option('--tokens-file <path>', 'API tokens, a `<name> <token>` per line: every request but / and /healthz needs Authorization: Bearer <token> (env TABSTREAM_API_TOKENS_FILE, or the tokens in TABSTREAM_API_TOKENS)')
      .option('--tls-cert <path>', 'serve https with this certificate, PEM (env TABSTREAM_SERVE_TLS_CERT)')
      .option('--tls-key <path>', 'the certificate’s private key, PEM (env TABSTREAM_SERVE_TLS_KEY)')
      .option('--history-step <ms>', 'how often the dashboard’s charts are sampled; the last hour is kept in memory', '5000')
      .option('--insecure-no-auth', 'listen on a non-loopback --host without any API token')
      .option('--metrics-tabs <pattern>', 'export the figures of the Tabs matching this pattern (of --topology) on /metrics, for Prometheus and Grafana (env TABSTREAM_METRICS_TABS)')
      .option('--metrics-max-tabs <n>', `at most this many of them, the first by name (env TABSTREAM_METRICS_MAX_TABS; default ${DEFAULT_METRICS_MAX_TABS})`),
  ).action(async (flags) => {
    const port = portFlag(flags.port, '--port');
    const topology = checkTopologyName(flags.topology);
    const answerWithinMs = Number(flags.deadline);
    if (!Number.isInteger(answerWithinMs) || answerWithinMs < 100) throw new Error(`--deadline takes milliseconds (100 or more), got '${flags.deadline}'`);
    const historyStepMs = Number(flags.historyStep);
    if (!Number.isInteger(historyStepMs) || historyStepMs < 1000 || historyStepMs > 60_000) throw new Error(`--history-step takes milliseconds (1000 to 60000), got '${flags.historyStep}'`);
    const config = configFrom(flags);
    const tabMetrics = tabMetricsFlags(flags, process.env, topology);
    const { tokens, tokensFrom, tls, warnings } = serveSecurity(flags, process.env, config.serve);
    await assertMayListen(flags.host, tokens !== null, flags.insecureNoAuth === true);
    const log = pino({ name: 'tabstream-serve' }, pino.destination(2));
    for (const warning of warnings) log.warn(warning);
    if (tokens === null && flags.insecureNoAuth) log.warn(`--insecure-no-auth: anyone who reaches ${flags.host} reads the API and /metrics`);
    const reader = new ClusterReader(config, { warn: (line) => log.warn(line) });
    const server = await ApiServer.listen({ reader, topology, log, answerWithinMs, tokens, tls, tabMetrics, historyStepMs }, port, flags.host);
    const auth = tokens === null ? 'no authentication' : `${tokens.length} bearer token${tokens.length === 1 ? '' : 's'} from ${tokensFrom}`;
    process.stdout.write(`serving ${server.url} (dashboard /, API /api/..., metrics /metrics; topology ${topology}; ${auth})\n`);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    log.info({ signal }, 'stopping');
    // Gone within 2 s whatever runs: queries in flight are aborted (they stop at their next slice of
    // CPU work), connections closed; a service that does not let go is not waited for past 1.5 s.
    setTimeout(() => process.exit(0), STOP_WITHIN_MS).unref();
    await server.close();
    await reader.close();
    process.exit(0);
  });
}

/** The longest `serve` takes to stop after SIGTERM or SIGINT. */
const STOP_WITHIN_MS = 1500;

/** `--metrics-tabs` / `--metrics-max-tabs` (or their env): null when no Tab is exported. A bad pattern or count is a one-line error. */
function tabMetricsFlags(flags: { metricsTabs?: string; metricsMaxTabs?: string }, env: NodeJS.ProcessEnv, topology: string): TabMetricsOptions | null {
  const pattern = flags.metricsTabs ?? env.TABSTREAM_METRICS_TABS;
  if (pattern === undefined || pattern === '') return null;
  compilePattern(pattern); // throws PatternError: `bad pattern '…': why`
  // The flag, else the environment, else the default: a flag with no default of commander's can tell it was given.
  const given = flags.metricsMaxTabs ?? env.TABSTREAM_METRICS_MAX_TABS ?? String(DEFAULT_METRICS_MAX_TABS);
  const maxTabs = Number(given);
  if (!Number.isInteger(maxTabs) || maxTabs < 1 || maxTabs > 10_000) throw new Error(`--metrics-max-tabs takes a count from 1 to 10000, got '${given}'`);
  return { topology, pattern, maxTabs };
}
