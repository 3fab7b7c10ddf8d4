import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type Redis from 'ioredis';
import pino, { type Logger } from 'pino';
import type { TabstreamConfig } from '../config';
import { ZkClient } from '../coordination/zk-client';
import { LeaderElection } from '../coordination/leader-election';
import { Rebalancer, type WorkerHealth, type WorkerInfo } from '../coordination/rebalancer';
import { readAssignment, partitionsOf } from '../coordination/assignment-store';
import { readSpec } from '../coordination/spec-store';
import { loadTopology } from '../loader';
import { RedisStateStore } from '../../state/redis-state-store';
import { redisClient } from '../../state/redis-client';
import { redisDurabilityWarnings } from '../../state/redis-durability';
import { ZkOffsetStore } from '../../spouts/zk-offset-store';
import { defaultRegistry, type HandlerRegistry } from '../../bolts/handlers/registry';
import { TopologyRunner } from './topology-runner';
import { KafkaOutbox } from './kafka-outbox';
import { AssignedConsumer } from '../../spouts/assigned-consumer';

export interface WorkerOptions {
  config: TabstreamConfig;
  id?: string;
  /** The most partitions of one topology this worker takes. */
  capacity?: number;
  registry?: HandlerRegistry;
  log?: Logger;
}

const VERSION = '0.1.0';

/** How often a worker checks whether its health changed (and publishes it when it did). */
const HEALTH_PUBLISH_MS = 2000;

/**
 * A worker process: joins the cluster through ZooKeeper (an ephemeral
 * `workers/<id>`), takes part in leader election (the leader assigns
 * partitions), and runs, for every active topology, the tasks its assignment
 * gives it. When its session expires it stops everything (its Redis writes
 * would be fenced anyway) and joins again as a new member.
 */
export class Worker {
  readonly id: string;
  readonly log: Logger;
  private zk: ZkClient | null = null;
  private readonly redis: Redis;
  private readonly kafka: Kafka;
  private readonly store: RedisStateStore;
  private readonly registry: HandlerRegistry;
  private readonly runners = new Map<string, TopologyRunner>();
  /** Per topology, assignment changes are applied one after another. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly watched = new Set<string>();
  private election: LeaderElection | null = null;
  private rebalancer: Rebalancer | null = null;
  private stopping = false;
  /** What this worker registered in `workers/<id>`, and the health it last published there. */
  private info: WorkerInfo | null = null;
  private publishedHealth = '';
  private healthTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: WorkerOptions) {
    this.id = opts.id ?? `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
    this.log = opts.log ?? pino({ name: 'tabstream-worker', base: { worker: this.id } });
    this.registry = opts.registry ?? defaultRegistry();
    // Reconnects by itself; a command unanswered within the timeout fails and the runner retries it.
    this.redis = redisClient(opts.config.redis, { timeoutMs: opts.config.redisTimeoutMs });
    this.kafka = new Kafka({
      clientId: `tabstream-${this.id}`,
      brokers: opts.config.brokers,
      logLevel: logLevel.NOTHING,
      // Back soon after a broker is: KafkaJS' default backoff grows to 30 s between tries.
      retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    this.store = new RedisStateStore(this.redis, { prefix: opts.config.redisPrefix });
  }

  get isLeader(): boolean {
    return this.election?.isLeader ?? false;
  }

  runnerOf(topology: string): TopologyRunner | undefined {
    return this.runners.get(topology);
  }

  /** The topologies this worker runs tasks of now. */
  get topologies(): string[] {
    return [...this.runners.keys()];
  }

  async start(): Promise<void> {
    // Said once at start, loudly: the checkpoint protocol leans on Redis keeping what it acknowledged.
    void redisDurabilityWarnings(this.redis).then((warnings) => {
      for (const warning of warnings) this.log.warn({ redis: this.opts.config.redis }, warning);
    });
    await this.join();
  }

  /** Per topology, the partitions this worker owns that are not moving, and why. */
  health(): WorkerHealth {
    const stalls: WorkerHealth['stalls'] = {};
    for (const [topology, runner] of this.runners) {
      const entries = runner.stalls.entries();
      if (entries.length === 0) continue;
      stalls[topology] = Object.fromEntries(entries.map(([p, st]) => [String(p), { kind: st.kind, reason: st.reason, since: st.since }]));
    }
    return { reportedAt: Date.now(), stalls };
  }

  /**
   * Writes this worker's health into its `workers/<id>` znode when it changed,
   * so `status`, `serve` and the dashboard show stalled partitions with their
   * reason (a conditional-free set on the ephemeral: never recreates it).
   */
  private async publishHealth(): Promise<void> {
    const zk = this.zk;
    if (zk === null || this.info === null || zk.state !== 'connected') return;
    const health = this.health();
    const key = JSON.stringify(health.stalls);
    if (key === this.publishedHealth) return;
    await zk.set(`workers/${this.id}`, Buffer.from(JSON.stringify({ ...this.info, health })), -1);
    this.publishedHealth = key;
  }

  /** Drains every topology (flush, commit), leaves the cluster, closes connections. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.rebalancer?.stop();
    this.election?.close();
    await Promise.all([...this.runners.values()].map((r) => r.stop().catch(() => {})));
    this.runners.clear();
    await this.zk?.close();
    this.redis.disconnect();
  }

  private async join(): Promise<void> {
    const { config } = this.opts;
    const zk = await ZkClient.connect(config.zk, { root: config.zkRoot, sessionTimeoutMs: config.sessionTimeoutMs });
    this.zk = zk;
    zk.on('expired', () => void this.rejoin());
    for (const dir of ['workers', 'leader', 'topologies', 'assignments', 'offsets']) {
      if (!(await zk.exists(dir))) await zk.create(dir).catch(() => {});
    }
    const info: WorkerInfo = {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      capacity: this.opts.capacity ?? null,
      startedAt: Date.now(),
      version: VERSION,
    };
    await zk.createEphemeral(`workers/${this.id}`, Buffer.from(JSON.stringify(info)));
    this.info = info;
    this.publishedHealth = '';
    this.healthTimer ??= setInterval(() => void this.publishHealth().catch(() => {}), HEALTH_PUBLISH_MS);
    this.healthTimer.unref();
    this.election = new LeaderElection(zk, this.id, () => {
      this.log.info('elected leader');
      this.rebalancer = new Rebalancer(zk, this.id, this.log);
      void this.rebalancer.start().catch((err: Error) => this.log.error({ err: err.message }, 'leader failed to start'));
    });
    await this.election.start();
    await this.watchTopologies();
    this.log.info({ zk: config.zk }, 'joined');
  }

  /** Session expired: whatever we still hold belongs to others now. Stop, then join as a new member. */
  private async rejoin(): Promise<void> {
    if (this.stopping) return;
    this.log.warn('ZooKeeper session expired: stopping all tasks and rejoining');
    this.rebalancer?.stop();
    this.election?.close();
    this.rebalancer = null;
    const old = [...this.runners.values()];
    this.runners.clear();
    this.queues.clear();
    this.watched.clear();
    await Promise.all(old.map((r) => r.stop().catch(() => {})));
    this.log.info('stopped all tasks of the expired session');
    await this.zk?.close().catch(() => {});
    for (let attempt = 0; !this.stopping; attempt++) {
      try {
        await this.join();
        return;
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'rejoin failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** attempt)));
      }
    }
  }

  private async watchTopologies(): Promise<void> {
    const zk = this.zk!;
    const names = await zk.children('topologies', () => void this.watchTopologies().catch(() => {}));
    for (const name of names) {
      if (this.watched.has(name)) continue;
      this.watched.add(name);
      zk.watchData(`assignments/${name}`, () => this.enqueue(name));
      this.enqueue(name);
    }
  }

  private enqueue(topology: string): void {
    const prev = this.queues.get(topology) ?? Promise.resolve();
    const next = prev
      .then(() => this.follow(topology))
      .catch((err: Error) => {
        this.log.error({ topology, err: err.message }, 'could not apply assignment; retrying');
        setTimeout(() => this.enqueue(topology), 1000);
      });
    this.queues.set(topology, next);
  }

  /** Brings this worker's tasks of `topology` in line with its current assignment. */
  private async follow(topology: string): Promise<void> {
    if (this.stopping || this.zk === null) return;
    const zk = this.zk;
    const [spec, current] = await Promise.all([readSpec(zk, topology), readAssignment(zk, topology)]);
    const runner = this.runners.get(topology);
    const mine = current === null ? [] : partitionsOf(current.assignment, this.id);
    if (spec === null || spec.spec.status !== 'active' || (mine.length === 0 && current !== null)) {
      if (runner) {
        this.runners.delete(topology);
        await runner.stop();
        this.log.info({ topology }, 'stopped: no partitions assigned here');
      }
      return;
    }
    if (current === null) return;
    let r = runner;
    if (r !== undefined && r.specVersion !== spec.spec.version) {
      // A redeploy changed the topology: drain the old one, then run the new one.
      this.runners.delete(topology);
      await r.stop();
      this.log.info({ topology, version: spec.spec.version }, 'restarting on a new spec version');
      r = undefined;
    }
    if (r !== undefined && r.generation === current.assignment.generation) return;
    if (r === undefined) {
      const t = await loadTopology(spec.spec.module, { name: spec.spec.name, topic: spec.spec.options.topic, maxEventFutureMs: spec.spec.config.maxEventFutureMs });
      const groupPrefix = `tabstream.${t.name}.${this.id}`;
      r = new TopologyRunner({
        store: this.store,
        outbox: new KafkaOutbox(this.kafka),
        consumers: (opts) => new AssignedConsumer(this.kafka, { groupPrefix, ...opts }),
        offsets: new ZkOffsetStore(zk),
        registry: this.registry,
        topology: t,
        partitions: spec.spec.partitions,
        workerId: this.id,
        flushIntervalMs: spec.spec.config.flushIntervalMs,
        specVersion: spec.spec.version,
        log: this.log.child({ topology }),
        onStallsChanged: () => void this.publishHealth().catch(() => {}),
      });
      await r.start();
      this.runners.set(topology, r);
    }
    await r.assign(current.assignment.generation, mine);
  }
}
