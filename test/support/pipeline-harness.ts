// Helpers for end-to-end tests: a config pointing at the test stack, worker
// processes, and polling Redis until the aggregates settle.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { redisClient, type RedisConnection } from '../../state/redis-client';
import { redisEnv, resolveConfig, type TabstreamConfig } from '../../topology/config';
import { RedisStateStore } from '../../state/redis-state-store';
import { TabQuery } from '../../state/tab-query';
import { defaultRegistry } from '../../tabs/handlers/registry';
import { testStack } from './stack-env';
import { signalGroup, trackGroup } from './process-groups';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
}

/**
 * A config for the test stack with a ZooKeeper root of its own: the workers
 * of one test form a cluster of their own and see only its topologies, as
 * separate installations sharing an ensemble would.
 */
export function testConfig(overrides: Partial<TabstreamConfig> = {}): TabstreamConfig {
  const stack = testStack();
  const zkRoot = `/tabstream-test/${uniqueName('c')}`;
  return { ...resolveConfig({ zk: stack.zk, brokers: stack.brokers, redis: stack.redis, zkRoot }), ...overrides };
}

/** The environment that points a `topology` process at `config`'s services, with its ZooKeeper credentials when it has some. */
export function configEnv(config: TabstreamConfig): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TABSTREAM_ZK: config.zk,
    TABSTREAM_BROKERS: config.brokers.join(','),
    ...redisEnv(config),
    TABSTREAM_ZK_ROOT: config.zkRoot,
    ...(config.zkAuth && { TABSTREAM_ZK_CREDENTIALS: config.zkAuth.authData().toString('utf8') }),
    ...kafkaSecurityEnv(config),
  };
}

/** A secure stack's Kafka TLS and SASL settings as the environment gives them (paths: the password stays in its file). */
function kafkaSecurityEnv(config: TabstreamConfig): NodeJS.ProcessEnv {
  const { tls, sasl } = config.kafka ?? {};
  return {
    ...(tls?.ca !== undefined && { TABSTREAM_KAFKA_CA: tls.ca }),
    ...(tls?.cert !== undefined && { TABSTREAM_KAFKA_CERT: tls.cert }),
    ...(tls?.key !== undefined && { TABSTREAM_KAFKA_KEY: tls.key }),
    ...(sasl !== undefined && { TABSTREAM_KAFKA_SASL_MECHANISM: sasl.mechanism, TABSTREAM_KAFKA_USERNAME: sasl.username }),
    ...(sasl?.passwordFile !== undefined && { TABSTREAM_KAFKA_PASSWORD_FILE: sasl.passwordFile }),
  };
}

/** Runs `topology <args> --topology <topology>` as an operator would, against `config`; resolves with its stdout. */
export function topologyCli(config: TabstreamConfig, topology: string): (...args: string[]) => Promise<string> {
  const run = promisify(execFile);
  return async (...args) => (await run(process.execPath, [`${ROOT}/bin/topology.js`, ...args, '--topology', topology], { cwd: ROOT, env: configEnv(config) })).stdout;
}

/** A pino line of a worker's log (JSON on stdout). */
export interface WorkerLogLine {
  time: number;
  msg: string;
  worker?: string;
  generation?: number;
  partitions?: number[];
  [field: string]: unknown;
}

/** A `topology worker` child process, as an operator would start it. */
export class WorkerProcess {
  readonly child: ChildProcess;
  output = '';
  /** Every log line, parsed, for assertions on what the worker did and when. */
  readonly logs: WorkerLogLine[] = [];

  /** With `group`, the worker runs in a process group of its own, signalled as a group and killed when the test process exits. */
  constructor(config: TabstreamConfig, readonly id: string, extraArgs: string[] = [], readonly opts: { group?: boolean } = {}) {
    this.child = spawn(
      process.execPath,
      [`${ROOT}/bin/topology.js`, 'worker', '--id', id, '--session-timeout', String(config.sessionTimeoutMs), ...extraArgs],
      { cwd: ROOT, env: configEnv(config), stdio: ['ignore', 'pipe', 'pipe'], detached: opts.group === true },
    );
    if (opts.group === true) trackGroup(this.child);
    // TABSTREAM_TEST_WORKER_LOGS=<dir>: every worker's whole output kept in <dir>/<id>.log, for a post-mortem.
    const logDir = process.env.TABSTREAM_TEST_WORKER_LOGS;
    const logFile = logDir ? join(logDir, `${id}.log`) : null;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
      if (logFile) appendFileSync(logFile, chunk);
    };
    let partial = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        try {
          this.logs.push(JSON.parse(line) as WorkerLogLine);
        } catch {
          // not a log line
        }
      }
    });
    this.child.stderr!.on('data', keep);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.exited) return;
    if (this.opts.group === true) signalGroup(this.pid, signal);
    else this.child.kill(signal);
  }

  async waitExit(timeoutMs = 30_000): Promise<void> {
    if (this.exited) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${this.id} did not exit:\n${this.output}`)), timeoutMs);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** Reads aggregates of one topology from the test Redis. */
export class AggregateReader {
  readonly redis: RedisConnection;
  readonly query: TabQuery;

  constructor(config: TabstreamConfig, topology: string) {
    // A read that Redis does not answer fails in 2 s (a fault test polls through outages).
    this.redis = redisClient(config, { timeoutMs: 2000, maxRetriesPerRequest: 1 });
    this.query = new TabQuery(new RedisStateStore(this.redis, { prefix: config.redisPrefix }), defaultRegistry(), topology);
  }

  /** `all.count` and `all.total` of every counter Tab. */
  async counterTotals(tabPattern = '.*'): Promise<Map<string, { count: number; total: number }>> {
    const out = new Map<string, { count: number; total: number }>();
    const aggregates = await this.query.aggregate(tabPattern);
    for (const [tab, a] of Object.entries(aggregates)) {
      if (a.type !== 'counter') continue;
      const all = a.all as { count: number; total: number };
      out.set(tab, { count: all.count, total: all.total });
    }
    return out;
  }

  /**
   * Per counter Tab, `all.count` and `all.total` of its client states merged
   * here (each client's own state, never the Tab record the aggregates
   * read), and how many client states it has.
   */
  async clientMergedTotals(tabPattern = '.*'): Promise<Map<string, { count: number; total: number; clients: number }>> {
    const out = new Map<string, { count: number; total: number; clients: number }>();
    const aggregates = await this.query.aggregate(tabPattern);
    const perClient = await this.query.projections(tabPattern);
    for (const [tab, clients] of Object.entries(perClient)) {
      if (aggregates[tab]?.type !== 'counter') continue;
      const sum = { count: 0, total: 0, clients: 0 };
      for (const a of Object.values(clients)) {
        const all = a.all as { count: number; total: number };
        sum.count += all.count;
        sum.total += all.total;
        sum.clients++;
      }
      out.set(tab, sum);
    }
    return out;
  }

  close(): void {
    this.redis.disconnect();
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (done(last)) return last;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last, mapReplacer)}${lastError ? `; last error: ${String(lastError)}` : ''}`);
}

function mapReplacer(_key: string, value: unknown): unknown {
  return value instanceof Map ? Object.fromEntries(value) : value;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `fn`; when it throws, appends the recent output of the workers so a failure explains itself. */
export async function explainWith<T>(workers: WorkerProcess[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const logs = workers.slice(-3).map((w) => `--- ${w.id} (exited: ${w.exited})\n${w.output.slice(-4000)}`).join('\n');
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
}
