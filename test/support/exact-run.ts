// One topology under faults: two (or more) worker processes, counter events
// WITHOUT ids produced in phases (before, during, after a fault), and the
// totals this test computed itself, so exactness is checked against an
// independent model, never against the project's own output.
import { deployTopology } from '../../topology/deploy/deploy';
import type { TabstreamConfig } from '../../topology/config';
import { expectExact, loadCounters, type Expected, type LoadOptions } from './event-loader';
import { AggregateReader, WorkerProcess, configEnv, explainWith, uniqueName, waitFor } from './pipeline-harness';
import { runCli, type CliResult } from './run-cli';
import type { TopologyStatus } from '../../topology/deploy/topology-status';

export class ExactRun {
  readonly name: string;
  readonly topic: string;
  readonly workers: WorkerProcess[] = [];
  private readerOf: AggregateReader;
  private readonly expected: Expected = new Map();
  private configNow: TabstreamConfig;

  constructor(
    config: TabstreamConfig,
    prefix: string,
    readonly partitions = 4,
  ) {
    this.configNow = config;
    this.name = uniqueName(prefix);
    this.topic = `${this.name}-tabs`;
    this.readerOf = new AggregateReader(config, this.name);
  }

  /** The config workers, the CLI and the reader use from now on. */
  get config(): TabstreamConfig {
    return this.configNow;
  }

  get reader(): AggregateReader {
    return this.readerOf;
  }

  /** Points what starts from now on (workers, the CLI) and the reader at another Redis: the state moved there. */
  moveRedis(redis: string): void {
    this.configNow = { ...this.configNow, redis };
    this.readerOf.close();
    this.readerOf = new AggregateReader(this.configNow, this.name);
  }

  /** Deploys the built-in taba, or the topology module at `module`. */
  async deploy(module = 'taba'): Promise<void> {
    await deployTopology(this.config, module, { name: this.name, topic: this.topic, partitions: this.partitions });
  }

  /** Runs `topology <args>` as an operator would, against this run's config. */
  cli(...args: string[]): Promise<CliResult> {
    return runCli(args, configEnv(this.config), 60_000);
  }

  /** `topology deactivate`, then waits until status shows no owners and every worker stopped the topology (its last flush done). */
  async deactivateAndWaitReleased(): Promise<void> {
    const since = Date.now();
    const r = await this.cli('deactivate', this.name);
    if (r.code !== 0) throw new Error(`deactivate failed: ${r.stderr}`);
    await waitFor(
      'no owners',
      async () => JSON.parse((await this.cli('status', this.name, '--json')).stdout) as TopologyStatus,
      (s) => s.partitions.every((p) => p.worker === null),
      30_000,
    );
    // The workers' last flush (they drain on release) lands before a move, or is fenced by it.
    const running = this.workers.filter((w) => !w.exited).length;
    await waitFor('the workers stopped the topology', async () => this.said('stopped: no partitions assigned here', since).length, (n) => n >= running, 30_000);
  }

  startWorker(extraArgs: string[] = []): WorkerProcess {
    const w = new WorkerProcess(this.config, `${this.name}-w${this.workers.length}`, extraArgs);
    this.workers.push(w);
    return w;
  }

  /** Produces `events` counters (no ids) over the same Tabs every phase, adding them to the expected totals. */
  async produce(events: number, opts: Partial<LoadOptions> = {}): Promise<void> {
    this.expect(await this.produceUncounted(events, opts));
  }

  /** Produces like `produce` without adding to the expected totals (events the test expects never folded); returns their totals. */
  produceUncounted(events: number, opts: Partial<LoadOptions> = {}): Promise<Expected> {
    return loadCounters({ brokers: this.config.brokers, kafka: this.config.kafka, topic: this.topic, events, tabs: 60, clients: 3, perMessage: 50, ...opts, ids: false });
  }

  /** Adds totals produced earlier (say by `produceUncounted`) to the expected ones. */
  expect(sent: Expected): void {
    for (const [tab, e] of sent) {
      const total = this.expected.get(tab) ?? { count: 0, total: 0 };
      total.count += e.count;
      total.total += e.total;
      this.expected.set(tab, total);
    }
  }

  /** What is still off, compared with the totals produced so far (empty: exact). */
  async differences(): Promise<string[]> {
    return expectExact(await this.reader.counterTotals(), this.expected);
  }

  /** Waits until Redis holds exactly what was produced; returns when that was first seen (epoch ms). */
  async waitExact(timeoutMs: number): Promise<number> {
    await explainWith(this.workers, () =>
      waitFor('exact counters', () => this.differences(), (d) => d.length === 0, timeoutMs),
    );
    return Date.now();
  }

  /** Waits until some checkpoint reached Redis (the stream is under way). */
  async waitSomeCheckpoints(timeoutMs = 60_000): Promise<void> {
    await explainWith(this.workers, () => waitFor('first checkpoints', () => this.reader.counterTotals(), (t) => t.size > 0, timeoutMs));
  }

  /** Log lines `msg` of every worker since `since` (epoch ms). */
  said(msg: string, since = 0): Array<{ from: string; time: number }> {
    return this.workers.flatMap((w) => w.logs.filter((l) => l.msg === msg && l.time >= since).map((l) => ({ from: w.id, time: l.time })));
  }

  close(): void {
    for (const w of this.workers) w.kill('SIGKILL');
    this.reader.close();
  }
}
