// The commands the demo suggests at its end, spelled for the services and
// names it actually used, so each one can be pasted as it is.
import { DEFAULT_STACK_DIR } from '../../deploy/stack/index';
import { DEFAULT_CONFIG, type TabstreamConfig } from '../config';
import { hasPassword, redact } from '../../state/redis-target';

export interface NextStepsInput {
  config: TabstreamConfig;
  topology: string;
  /** The local stack's directory, or null when the demo used other services. */
  stackDir: string | null;
  /** A `--config` file the demo was given, passed on to every command. */
  configFile?: string;
}

/** Single-quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=,@+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function nextSteps({ config, topology, stackDir, configFile }: NextStepsInput): string[] {
  const lines: string[] = [];
  const usesDefaults =
    config.zk === DEFAULT_CONFIG.zk && config.brokers.join(',') === DEFAULT_CONFIG.brokers.join(',') && config.redis === DEFAULT_CONFIG.redis;
  if (!usesDefaults) {
    lines.push('first point the CLI at the services the demo used:');
    const ca = config.redisTls?.ca === undefined ? '' : ` TABSTREAM_REDIS_CA=${shellQuote(config.redisTls.ca)}`;
    lines.push(`  export TABSTREAM_ZK=${shellQuote(config.zk)} TABSTREAM_BROKERS=${shellQuote(config.brokers.join(','))} TABSTREAM_REDIS=${shellQuote(redact(config.redis))}${ca}`);
    if (hasPassword(config.redis)) lines.push("  (*** stands for the Redis password the demo was given: it is never printed)");
  }
  const withConfig = configFile === undefined ? '' : ` --config ${shellQuote(configFile)}`;
  const ofTopology = topology === 'taba' ? '' : ` --topology ${shellQuote(topology)}`;
  const dirFlag = stackDir === null || stackDir === DEFAULT_STACK_DIR ? '' : ` --dir ${shellQuote(stackDir)}`;
  const commands: Array<[string, string]> = [
    [`npx topology query aggregate 'winning_.*' --json${ofTopology}${withConfig}`, 'one Tab family, every window'],
    [`npx topology query tabs${ofTopology}${withConfig}`, 'every Tab and its type (--clients: and its client count)'],
    [`npx topology query projection bids --client bidder-1${ofTopology}${withConfig}`, "one client's own view of a Tab"],
    [`npx topology status ${shellQuote(topology)}${withConfig}`, 'workers, offsets, lag, last flushes'],
    [`npx topology worker${withConfig}`, 'run a worker yourself (Ctrl-C drains it)'],
  ];
  if (stackDir !== null) commands.push([`npx topology dev status${dirFlag}`, 'the local stack']);
  const width = Math.max(...commands.map(([command]) => command.length));
  lines.push('explore further:');
  for (const [command, what] of commands) lines.push(`  ${command.padEnd(width)}  # ${what}`);
  if (stackDir !== null) {
    lines.push(`the local stack keeps running; stop it with: npx topology dev down${dirFlag}`);
  } else {
    lines.push('the services the demo used were left running as they were');
  }
  return lines;
}
