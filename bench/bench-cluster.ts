// One isolated Tabstream cluster on the bench stack: its own ZooKeeper root
// and topology name, so runs on the same topic never see each other's
// workers, assignments, offsets or Redis state.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { resolveConfig, type TabstreamConfig } from '../topology/config';
import { readAssignment, partitionsOf, type Assignment } from '../topology/coordination/assignment-store';
import { setStatus } from '../topology/coordination/spec-store';
import { ZkClient } from '../topology/coordination/zk-client';
import { deployTopology } from '../topology/deploy/deploy';
import { BENCH_STACK } from './bench-stack';
import { BenchWorker, type BenchWorkerOptions } from './bench-worker';
import { partitionProgress } from './stored-aggregates';

export interface StackAddresses {
  zk: string;
  brokers: string;
  redis: string;
}

export class BenchCluster {
  readonly name: string;
  readonly config: TabstreamConfig;
  readonly configFile: string;
  readonly redis: Redis;
  readonly workers: BenchWorker[] = [];
  private zk: ZkClient | null = null;

  constructor(
    stack: StackAddresses,
    label: string,
    readonly topic: string,
    readonly partitions: number,
    settings: { flushIntervalMs?: number } = {},
  ) {
    this.name = `${label}-${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
    const config = resolveConfig({ zk: stack.zk, brokers: stack.brokers, redis: stack.redis });
    this.config = {
      ...config,
      zkRoot: `/bench/${this.name}`,
      // Stored with the topology at deploy: every worker of this cluster checkpoints at this interval.
      flushIntervalMs: settings.flushIntervalMs ?? config.flushIntervalMs,
    };
    const dir = join(BENCH_STACK.dir, 'runs');
    mkdirSync(dir, { recursive: true });
    this.configFile = join(dir, `${this.name}.json`);
    writeFileSync(this.configFile, JSON.stringify(this.config, null, 2));
    this.redis = new Redis(this.config.redis, { maxRetriesPerRequest: 2 });
    this.redis.on('error', () => {});
  }

  async deploy(): Promise<void> {
    await deployTopology(this.config, 'taba', { name: this.name, topic: this.topic, partitions: this.partitions });
  }

  startWorker(opts: Omit<BenchWorkerOptions, 'id' | 'configFile'> = {}): BenchWorker {
    const worker = new BenchWorker({ id: `${this.name}-w${this.workers.length + 1}`, configFile: this.configFile, ...opts });
    this.workers.push(worker);
    return worker;
  }

  progress(): Promise<Array<{ flushed: number; generation: number }>> {
    return partitionProgress(this.redis, this.config.redisPrefix, this.name, this.partitions);
  }

  /** Messages flushed to Redis so far, over all partitions. */
  async flushed(): Promise<number> {
    return (await this.progress()).reduce((sum, p) => sum + p.flushed, 0);
  }

  async flushedPerPartition(): Promise<number[]> {
    return (await this.progress()).map((p) => p.flushed);
  }

  private async zkClient(): Promise<ZkClient> {
    this.zk ??= await ZkClient.forConfig(this.config);
    return this.zk;
  }

  /** The assignment the leader wrote, or null before the first. */
  async assignment(): Promise<Assignment | null> {
    return (await readAssignment(await this.zkClient(), this.name))?.assignment ?? null;
  }

  /** Activates or deactivates the topology (`topology activate | deactivate`). */
  async setActive(active: boolean): Promise<void> {
    await setStatus(await this.zkClient(), this.name, active ? 'active' : 'inactive');
  }

  /** Resolves once `n` workers have joined the cluster. */
  async waitForMembers(n: number, timeoutMs: number): Promise<void> {
    const zk = await this.zkClient();
    const deadline = Date.now() + timeoutMs;
    while ((await zk.exists('workers') ? await zk.children('workers') : []).length < n) {
      if (Date.now() > deadline) throw new Error(`${n} workers did not join in ${timeoutMs} ms\n${this.logs()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The partitions `worker` owns in the current assignment. */
  async partitionsOf(worker: BenchWorker): Promise<number[]> {
    const a = await this.assignment();
    return a === null ? [] : partitionsOf(a, worker.opts.id);
  }

  /**
   * Resolves once every running worker owns partitions and every partition
   * has been claimed under the current generation: the cluster is reading.
   */
  async waitUntilBalanced(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const a = await this.assignment();
      if (a !== null) {
        const owners = new Set(Object.values(a.partitions));
        const progress = await this.progress();
        const live = this.workers.filter((w) => !w.exited);
        if (live.every((w) => owners.has(w.opts.id)) && progress.every((p) => p.generation === a.generation)) return;
      }
      if (Date.now() > deadline) throw new Error(`workers not balanced in ${timeoutMs} ms\n${this.logs()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The last lines of every worker's log, for errors. */
  logs(): string {
    return this.workers.map((w) => `--- ${w.opts.id} (exited: ${w.exited})\n${w.output.slice(-2000)}`).join('\n');
  }

  /** Stops the workers and disconnects; a second call does nothing more. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
    const zk = this.zk;
    this.zk = null;
    await zk?.close();
    this.redis.disconnect();
  }
}
