// `topology demo` (`npm run demo`): Tabstream end to end in one command. It
// starts what is missing of the local stack (or uses the services the
// environment names), deploys the Taba topology, starts one `topology worker`
// process, records a realistic mix of every Tab type from several clients,
// shows the live aggregates, then drains the worker and says what to try next.
import type { Command } from 'commander';
import { hostname } from 'node:os';
import { relative } from 'node:path';
import { DEFAULT_STACK_DIR, startStack } from '../../deploy/stack/index';
import { ZkClient } from '../coordination/zk-client';
import { partitionsOf, readAssignment } from '../coordination/assignment-store';
import { deployTopology } from '../deploy/deploy';
import type { TopologySpec } from '../deploy/topology-spec';
import { typesOfSpec } from '../deploy/spec-types';
import { configFileOf, redisEnv, type TabstreamConfig } from '../config';
import { configFrom, positiveInt, withConfigFlags } from './config-flags';
import { DemoReadout } from './demo-readout';
import { liveScreen, type LiveScreen } from './demo-screen';
import { demoRows, renderDemoTable } from './demo-table';
import { DemoTraffic } from './demo-traffic';
import { KafkaConnection } from '../../spouts/kafka-connection';
import { DemoWorker } from './demo-worker';
import { nextSteps } from './demo-next-steps';
import { assertServicesAnswer } from './demo-preflight';
import { redact } from '../../state/redis-target';

interface DemoFlags {
  duration: string;
  rate: string;
  clients: string;
  name: string;
  topic: string;
  partitions?: string;
  stack: boolean;
  dir: string;
  zkPort?: string;
  kafkaPort?: string;
  redisPort?: string;
  config?: string;
  zk?: string;
  brokers?: string;
  redis?: string;
  secure?: boolean;
  zkCredentialsFile?: string;
}

const SERVICE_ENV = ['TABSTREAM_ZK', 'TABSTREAM_BROKERS', 'TABSTREAM_REDIS'];
const TAKE_UP_TIMEOUT_MS = 90_000;
const CATCH_UP_TIMEOUT_MS = 30_000;

/** One line of progress per step: `<step>  <what happened>`. */
const say = (step: string, text: string): void => void process.stdout.write(`${step.padEnd(8)} ${text}\n`);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

function port(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = positiveInt(value, flag);
  if (n > 65535) throw new Error(`${flag} takes a port (1-65535), got '${value}'`);
  return n;
}

/** Runs a step; a failure becomes one line naming the step. */
async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The services to use: the ones named by flags or environment, or else the local stack, started as needed. */
async function services(flags: DemoFlags): Promise<{ config: TabstreamConfig; stackDir: string | null; configFile: string | undefined }> {
  const named = flags.zk ?? flags.brokers ?? flags.redis ?? configFileOf(flags) ?? SERVICE_ENV.find((v) => process.env[v]);
  if (!flags.stack || named !== undefined) {
    const config = configFrom(flags);
    await step('services', () => assertServicesAnswer(config));
    say('stack', `none started; using ZooKeeper ${config.zk}, Kafka ${config.brokers.join(',')}, Redis ${redact(config.redis)}`);
    return { config, stackDir: null, configFile: configFileOf(flags) };
  }
  say('stack', `starting what is missing of the local stack in ${shortPath(flags.dir)} (the first run fetches Kafka with Maven)`);
  const info = await step('stack', () =>
    startStack({
      dir: flags.dir,
      zkPort: port(flags.zkPort, '--zk-port'),
      kafkaPort: port(flags.kafkaPort, '--kafka-port'),
      redisPort: port(flags.redisPort, '--redis-port'),
      ...(flags.secure && { secure: true }),
      log: (line) => say('stack', `  ${line}`),
    }),
  );
  say('stack', `up: ZooKeeper ${info.zk}, Kafka ${info.brokers}, Redis ${redact(info.redis)}`);
  // A secure stack's config file carries its TLS and SASL settings (the password stays in its file).
  const configFile = info.config ?? configFileOf(flags);
  // The stack's Redis URL is no flag of the user's (a flag may not carry a password); a TLS stack's clients trust its CA.
  const config = configFrom({ ...flags, config: configFile, zk: info.zk, brokers: info.brokers });
  return { config: { ...config, redis: info.redis, ...(info.redisTls && { redisTls: { ca: info.redisTls.ca } }) }, stackDir: flags.dir, configFile };
}

/**
 * The worker's flags: the resolved services explicitly (flags win over
 * everything), the config file for the rest, and the ZooKeeper credentials
 * file when given as a flag (from the environment, the worker inherits them).
 * Redis's URL and files go in its environment instead (which wins over the
 * config file too): a flag would show a password to `ps`.
 */
function workerArgs(config: TabstreamConfig, configFile: string | undefined, zkCredentialsFile: string | undefined): string[] {
  const args = ['--zk', config.zk, '--brokers', config.brokers.join(',')];
  if (configFile !== undefined) args.push('--config', configFile);
  if (zkCredentialsFile !== undefined) args.push('--zk-credentials-file', zkCredentialsFile);
  return args;
}

/** Waits until the leader assigned every partition and the worker claimed its share in Redis. */
async function waitForTakeUp(
  config: TabstreamConfig,
  spec: TopologySpec,
  worker: DemoWorker,
  readout: DemoReadout,
  interruption: Interruption,
): Promise<{ mine: number[]; generation: number }> {
  const zk = await ZkClient.forConfig(config);
  try {
    const deadline = Date.now() + TAKE_UP_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (interruption.interrupted) throw new Error('interrupted while waiting for the worker');
      if (worker.exited) throw new Error(`pid ${worker.pid} exited before taking up partitions; its log ends: ${worker.logTail(1)}`);
      const current = await readAssignment(zk, spec.name);
      if (current !== null && Object.keys(current.assignment.partitions).length === spec.partitions) {
        const { generation } = current.assignment;
        const mine = partitionsOf(current.assignment, worker.id);
        if (mine.length > 0 && (await readout.claimed(mine, generation)).length === mine.length) return { mine, generation };
      }
      await interruption.pause(250);
    }
    throw new Error(`pid ${worker.pid} took up no partitions within ${TAKE_UP_TIMEOUT_MS / 1000} s; its log ends: ${worker.logTail(1)}`);
  } finally {
    await zk.close();
  }
}

/** Stops early on Ctrl-C or SIGTERM: the demo still drains its producers and worker. */
class Interruption {
  interrupted = false;
  /** Interrupted because stdout's reader went away, not by a signal: the demo then ends with exit code 0. */
  readerGone = false;
  private wake: (() => void) | null = null;
  private readonly onSignal = (): void => {
    this.interrupted = true;
    this.wake?.();
  };
  private readonly onReaderGone = (): void => {
    this.readerGone = true;
    this.onSignal();
  };

  constructor() {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    // A reader that went away (`npm run demo | head`) ends the demo the same way.
    process.stdout.on('error', this.onReaderGone);
  }

  /** Sleeps `ms`, or less when interrupted. */
  pause(ms: number): Promise<void> {
    if (this.interrupted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  release(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    process.stdout.off('error', this.onReaderGone);
  }
}

interface LiveView {
  spec: TopologySpec;
  screen: LiveScreen;
  readout: DemoReadout;
  traffic: DemoTraffic;
  foldedBefore: number;
}

/** One block: a status line, then the table of aggregates. */
async function showSnapshot(view: LiveView, status: string): Promise<void> {
  const { screen, readout, traffic, foldedBefore } = view;
  let lines: string[];
  try {
    const [aggregates, folded] = await Promise.all([readout.aggregates(), readout.folded()]);
    const rows = demoRows(aggregates);
    lines = [
      `${view.spec.name} · ${status} · ${traffic.sent} events sent · ${folded - foldedBefore} folded · ${rows.length} Tabs`,
      ...renderDemoTable(rows, screen.maxLines - 2),
    ];
  } catch (err) {
    lines = [`${view.spec.name} · ${status} · could not read Redis: ${(err as Error).message}`];
  }
  if (traffic.error !== null) lines.splice(1, 0, `(producer: ${traffic.error.message}; retrying)`);
  screen.show(lines);
}

export async function runDemo(flags: DemoFlags): Promise<void> {
  const durationS = positiveInt(flags.duration, '--duration');
  const rate = positiveInt(flags.rate, '--rate');
  const clients = positiveInt(flags.clients, '--clients');
  const partitions = flags.partitions === undefined ? undefined : positiveInt(flags.partitions, '--partitions');

  const { config, stackDir, configFile } = await services(flags);
  const spec = await step('deploy', () => deployTopology(config, 'taba', { name: flags.name, topic: flags.topic, partitions }));
  say('deploy', `${spec.name} (version ${spec.version}) reads topic ${spec.options.topic} (${spec.partitions} partitions)`);

  // Its table renders what the worker folds: the Tab types of the module deployed (spec.module).
  const readout = new DemoReadout(config, spec.name, spec.partitions, await typesOfSpec(spec));
  // The ZooKeeper root and Redis travel in the environment, which wins over a config file as a flag would.
  const worker = new DemoWorker(`demo-${hostname()}-${process.pid}`, workerArgs(config, configFile, flags.zkCredentialsFile), { TABSTREAM_ZK_ROOT: config.zkRoot, ...redisEnv(config) });
  const interruption = new Interruption();
  // A new seed each run: the same realistic mix, other values (a fixed seed would repeat the last run exactly).
  const { tls, sasl } = KafkaConnection.of(config).clientOptions('tabstream-demo');
  const traffic = new DemoTraffic({ brokers: config.brokers, topic: spec.options.topic, clients, rate, seed: Date.now() % 2 ** 31, kafka: { ...(tls && { tls }), ...(sasl && { sasl }) } });
  let producing = false;
  try {
    const { mine, generation } = await step('worker', () => waitForTakeUp(config, spec, worker, readout, interruption));
    say('worker', `pid ${worker.pid} (${worker.id}) took up ${mine.length} of ${spec.partitions} partitions, generation ${generation}`);

    const foldedBefore = await step('readout', () => readout.folded());
    await step('produce', () => traffic.start());
    producing = true;
    const { tabs, types } = traffic.catalogue;
    say('produce', `${clients} clients (${traffic.mix.clients[0]}..${traffic.mix.clients.at(-1)}) record ${rate} events/s over ${tabs} Tabs of ${types} types for ${durationS} s`);

    const screen = liveScreen();
    const view: LiveView = { spec, screen, readout, traffic, foldedBefore };
    const refreshMs = screen.interactive ? 1000 : 5000;
    const startedAt = Date.now();
    const endsAt = startedAt + durationS * 1000;
    while (!interruption.interrupted && Date.now() < endsAt) {
      await interruption.pause(Math.min(refreshMs, endsAt - Date.now()));
      await showSnapshot(view, `${Math.round((Date.now() - startedAt) / 1000)} s of ${durationS} s`);
    }

    // Settle before the last snapshot, so it redraws the live table in place and shows the end state.
    await step('produce', () => traffic.stop());
    producing = false;
    const sent = traffic.sent;
    const deadline = Date.now() + CATCH_UP_TIMEOUT_MS;
    let folded = 0;
    let unreadable: string | null = null;
    try {
      folded = (await readout.folded()) - foldedBefore;
      while (folded < sent && Date.now() < deadline && !worker.exited && !interruption.interrupted) {
        await sleep(250);
        folded = (await readout.folded()) - foldedBefore;
      }
    } catch (err) {
      // Redis not answering (every read has a timeout): say so and end, rather than wait on it.
      unreadable = (err as Error).message;
    }
    await showSnapshot(view, 'final');
    screen.done();
    say('produce', `stopped${interruption.interrupted ? ' (interrupted)' : ''}: ${sent} events sent and acknowledged by Kafka`);
    if (unreadable !== null) say('fold', `could not read what was folded: ${unreadable}`);
    else say('fold', folded >= sent ? `all ${sent} events folded and checkpointed in Redis` : `${folded} of ${sent} events folded so far (the worker is behind)`);
  } finally {
    interruption.release();
    if (producing) await traffic.stop().catch(() => {});
    const stopped = await worker.stop();
    readout.close();
    if (stopped.killed) say('worker', `pid ${worker.pid} did not drain in time and was killed`);
    else if (stopped.code === 0) say('worker', `pid ${worker.pid} drained (flush, commit, hand over) and exited`);
    else say('worker', `pid ${worker.pid} exited with ${stopped.code ?? stopped.signal}; its log ends: ${worker.logTail(1)}`);
  }

  for (const line of nextSteps({ config, topology: spec.name, stackDir, configFile })) process.stdout.write(`${line}\n`);
  if (interruption.interrupted && !interruption.readerGone) process.exitCode = 130;
}

export function registerDemoCommand(program: Command): void {
  withConfigFlags(
    program
      .command('demo')
      .description('run Tabstream end to end: local stack, the taba topology, a worker, a realistic event mix and its live aggregates')
      .option('--duration <s>', 'how long to produce events and show the aggregates', '30')
      .option('--rate <n>', 'events per second, all clients together', '400')
      .option('--clients <n>', 'producing clients (bidder-1 ... bidder-N)', '4')
      .option('--name <name>', 'the name to deploy the topology under', 'taba')
      .option('--topic <topic>', 'the topic to produce to and read', 'tabs')
      .option('--partitions <n>', "partitions of the topic when the demo creates it (default 8); an existing topic's count must be this")
      .option('--secure', "start the local stack secured (dev up --secure: Kafka on SASL_SSL, SCRAM-SHA-512, the stack's own CA)")
      .option('--no-stack', 'start no local stack: use the services of the flags, the environment or the defaults')
      .option('--dir <dir>', 'local stack directory', DEFAULT_STACK_DIR)
      .option('--zk-port <port>', 'local stack ZooKeeper port')
      .option('--kafka-port <port>', 'local stack Kafka port')
      .option('--redis-port <port>', 'local stack Redis port'),
  ).action(async (flags: DemoFlags) => {
    await runDemo(flags);
    // Everything the demo opened is closed by now; should a library still hold a connection
    // (a ZooKeeper socket once kept a finished demo alive), end anyway after a grace period.
    setTimeout(() => process.exit(), 3000).unref();
  });
}
