import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import type { TabstreamConfig } from '../config';
import { ZkClient, type ZkSessionCredentials } from '../coordination/zk-client';
import { ZK_CLIENT_EVENTS, type ZkClientEvents } from '../coordination/zk-client-events';
import { NodeExistsError, ZkAuthFailedError } from '../coordination/zk-errors';
import { LeaderElection } from '../coordination/leader-election';
import { Rebalancer, type WorkerHealth, type WorkerInfo } from '../coordination/rebalancer';
import { readAssignment, partitionsOf } from '../coordination/assignment-store';
import { readSpec } from '../coordination/spec-store';
import { loadTopology } from '../loader';
import { tabTypesOf } from '../topology-types';
import { topologySettings } from '../deploy/topology-spec';
import { RedisStateStore } from '../../state/redis-state-store';
import { redisClient, type RedisConnection } from '../../state/redis-client';
import { redisDurabilityWarnings } from '../../state/redis-durability';
import { redact } from '../../state/redis-target';
import { ZkOffsetStore } from '../../spouts/zk-offset-store';
import { defaultRegistry, type HandlerRegistry } from '../../tabs/handlers/registry';
import { TopologyRunner } from './topology-runner';
import { KafkaOutbox } from './kafka-outbox';
import { PartitionReader } from '../../spouts/partition-reader';
import { KafkaConnection } from '../../spouts/kafka-connection';
import { WorkingSet } from '../../contracts/working-set';
import { slabLedger } from '../../tabs/codec/slab-ledger';
import { EventLoopWatch } from './event-loop-watch';
import { deadLetterReason } from './task-metrics';
import { TimeoutError, withTimeout } from '../../contracts/with-timeout';
import { Backoff, isRetriable, retry, type RetryPolicy } from '../retry-policy';
import { WorkerEmitter, type WorkerZkEvent } from './worker-events';
import { logWorkerEvents } from './worker-log';
import { DurationSummary } from './duration-summary';

export interface WorkerOptions {
  config: TabstreamConfig;
  id?: string;
  /** The most partitions of one topology this worker takes. */
  capacity?: number;
  /** The types every topology's tasks know (default: the built-in ones); each topology adds those it registers. */
  registry?: HandlerRegistry;
  log?: Logger;
}

const VERSION = '0.1.0';

/** How often a worker checks whether its health changed (and publishes it when it did). */
const HEALTH_PUBLISH_MS = 2000;
/** Checkpoint times and dead-letter counts go out at most this often (with any change of stalls, or on their own when they changed). */
const STATS_PUBLISH_MS = 4000;
/** Joining again after a session ended: connect() itself waits up to its timeout for a server, so the pauses between tries stay short. */
const REJOIN_RETRY: RetryPolicy = { initialMs: 100, maxMs: 500 };
/** Applying a topology's assignment again after a failure. */
const FOLLOW_RETRY: RetryPolicy = { initialMs: 500, maxMs: 4_000 };
/** The longest the tasks of an expired session may take to drain before the worker joins again without them. */
const STOP_ON_SESSION_LOSS_MS = 3_000;

/**
 * A worker process: joins the cluster through ZooKeeper (an ephemeral
 * `workers/<id>`), takes part in leader election (the leader assigns
 * partitions), and runs, for every active topology, the tasks its assignment
 * gives it.
 *
 * ZooKeeper outages: while the connection is down the tasks go on folding
 * and checkpointing to Redis (the truth; ZooKeeper's offsets are mirrored
 * when it is back). When the session expires (the server says so, or the
 * client has been out of touch for a whole session timeout: ZkClient) the
 * worker stops every task (a new owner's Redis claim fences them anyway),
 * ends the old session should a restarted server have revived it, and joins
 * again with a new one as soon as ZooKeeper answers, re-taking its
 * partitions through the protocol. Each change is one log line.
 *
 * It tells what happens as typed events (`events`: joined, session_lost,
 * elected_leader, runner_started, runner_stopped, and zookeeper, its
 * ZooKeeper clients' own; worker-events.ts), which its log and its /metrics
 * subscribe to.
 */
export class Worker {
  readonly id: string;
  readonly log: Logger;
  readonly events = new WorkerEmitter();
  private zk: ZkClient | null = null;
  private readonly redis: RedisConnection;
  private readonly store: RedisStateStore;
  private readonly registry: HandlerRegistry;
  /** One budget for the states of every topology this process runs. */
  readonly workingSet: WorkingSet;
  private readonly runners = new Map<string, TopologyRunner>();
  /** Per topology, assignment changes are applied one after another. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly watched = new Set<string>();
  private election: LeaderElection | null = null;
  private rebalancer: Rebalancer | null = null;
  private stopping = false;
  /** Sessions this worker gave up on: their ephemerals, if a server revived them, are ours to clear. */
  private readonly pastSessions: ZkSessionCredentials[] = [];
  /** Session ids (hex) this worker has held. */
  private readonly ownSessions = new Set<string>();
  /** Topologies whose last assignment attempt failed (logged once until one succeeds), and when to try again. */
  private readonly failing = new Map<string, Backoff>();
  /** What this worker registered in `workers/<id>`, and the health it last published there. */
  private info: WorkerInfo | null = null;
  private publishedHealth = '';
  private publishedStats = '';
  /** Per runner, its checkpoint times until the next publish (the dashboard's checkpoint latency). */
  private readonly checkpointTimes = new WeakMap<TopologyRunner, DurationSummary>();
  private statsPublishedAt = 0;
  private healthTimer: NodeJS.Timeout | null = null;
  private readonly loopWatch: EventLoopWatch;

  constructor(private readonly opts: WorkerOptions) {
    this.id = opts.id ?? `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
    this.log = opts.log ?? pino({ name: 'tabstream-worker', base: { worker: this.id } });
    this.registry = opts.registry ?? defaultRegistry();
    // Reconnects by itself; a command unanswered within the timeout fails and the runner retries it.
    this.redis = redisClient(opts.config, { timeoutMs: opts.config.redisTimeoutMs });
    this.store = new RedisStateStore(this.redis, { prefix: opts.config.redisPrefix });
    // The slabs its states' kept bytes pin count too (the process's one ledger: the codec's slabs are shared).
    this.workingSet = new WorkingSet(opts.config.workingSetMiB * 1024 * 1024, undefined, slabLedger);
    this.loopWatch = new EventLoopWatch(this.log);
    logWorkerEvents(this.events, this.log);
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
    this.loopWatch.start();
    // Said once at start, loudly: the checkpoint protocol leans on Redis keeping what it acknowledged.
    void redisDurabilityWarnings(this.redis).then((warnings) => {
      for (const warning of warnings) this.log.warn({ redis: redact(this.opts.config.redis) }, warning);
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

  /** Per topology, dead letters by reason, summed over the partitions owned now. */
  private deadLetterCounts(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [topology, runner] of this.runners) {
      const reasons: Record<string, number> = {};
      for (const metrics of runner.metrics.values()) {
        for (const [key, value] of metrics.counters) {
          const reason = deadLetterReason(key);
          if (reason === null) continue;
          reasons[reason] = (reasons[reason] ?? 0) + value;
        }
      }
      out[topology] = reasons;
    }
    return out;
  }

  /**
   * Writes this worker's health into its `workers/<id>` znode when it changed,
   * so `status`, `serve` and the dashboard show stalled partitions with their
   * reason (a conditional-free set on the ephemeral: never recreates it).
   * Stats (checkpoint times, dead letters) ride along, at most every few
   * seconds and only when there is something new: an idle worker writes nothing.
   */
  private async publishHealth(): Promise<void> {
    const zk = this.zk;
    if (zk === null || this.info === null || zk.state !== 'connected') return;
    const health = this.health();
    const key = JSON.stringify(health.stalls);
    const now = Date.now();
    const deadLetters = this.deadLetterCounts();
    const checkpointed = [...this.runners.values()].some((r) => this.checkpointTimes.get(r)?.pending === true);
    const statsKey = JSON.stringify(deadLetters);
    const statsDue = now - this.statsPublishedAt >= STATS_PUBLISH_MS && (checkpointed || statsKey !== this.publishedStats);
    if (key === this.publishedHealth && !statsDue) return;
    health.stats = Object.fromEntries(
      [...this.runners].map(([topology, runner]) => [topology, { checkpoints: this.checkpointTimes.get(runner)?.take() ?? null, deadLetters: deadLetters[topology] ?? {} }]),
    );
    await zk.set(`workers/${this.id}`, Buffer.from(JSON.stringify({ ...this.info, health })), -1);
    this.publishedHealth = key;
    this.publishedStats = statsKey;
    this.statsPublishedAt = now;
  }

  /** Drains every topology (flush, commit), leaves the cluster, closes connections. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.loopWatch.stop();
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.rebalancer?.stop();
    this.election?.close();
    const old = this.removeRunners();
    await Promise.all(old.map((r) => r.stop().catch(() => {})));
    await this.zk?.close();
    this.redis.disconnect();
  }

  private async join(): Promise<void> {
    const { config } = this.opts;
    const zk = await ZkClient.forConfig(config, { sessionTimeoutMs: config.sessionTimeoutMs, listen: (client) => this.passOn(client) });
    try {
      await this.register(zk);
    } catch (err) {
      if (this.zk === zk) {
        this.zk = null;
        this.rebalancer?.stop();
        this.election?.close();
        this.rebalancer = null;
        this.election = null;
      }
      await zk.close().catch(() => {});
      throw err;
    }
    if (this.stopping) {
      await zk.close().catch(() => {});
      return;
    }
    this.events.emit('joined', { zk: config.zk, session: zk.sessionId });
  }

  private async register(zk: ZkClient): Promise<void> {
    this.ownSessions.add(zk.sessionId);
    // A server restarted while we were away revives our old sessions for one timeout:
    // end them now, so their ephemerals (workers/<id>, a leader node) do not linger.
    for (const old of this.pastSessions.splice(0)) {
      await ZkClient.endSession(this.opts.config.zk, old, 2_000).catch(() => {});
    }
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
    await this.createMembership(zk, Buffer.from(JSON.stringify(info)));
    this.zk = zk;
    this.info = info;
    this.publishedHealth = '';
    this.healthTimer ??= setInterval(() => void this.publishHealth().catch(() => {}), HEALTH_PUBLISH_MS);
    this.healthTimer.unref();
    // Its connection's ups and downs are logged and counted from the `zookeeper` events (passOn).
    zk.on('session_expired', () => void this.rejoin(zk));
    // A server that refuses the credentials closes the session: say so in one line, and join again (which says it again only if it keeps refusing).
    zk.on('auth_failed', () => void this.rejoin(zk, new ZkAuthFailedError(null, this.opts.config.zkAuth?.scheme).message));
    this.election = new LeaderElection(zk, this.id, () => {
      if (this.zk !== zk) return;
      this.events.emit('elected_leader');
      this.rebalancer = new Rebalancer(zk, this.id, this.log);
      void this.rebalancer.start().catch((err: Error) => this.log.error({ err: err.message }, 'leader failed to start'));
    });
    await this.election.start();
    this.watchTopologies(zk);
  }

  /** Passes every event of `client` on as the worker's `zookeeper` event, saying whether it holds the membership now. */
  private passOn(client: ZkClient): void {
    for (const name of ZK_CLIENT_EVENTS) {
      client.on(name, (payload: ZkClientEvents[typeof name][0]) => {
        this.events.emit('zookeeper', { event: name, ...payload, member: this.zk === client } as WorkerZkEvent);
      });
    }
  }

  /**
   * Creates `workers/<id>`. One left by an earlier session of this worker
   * (the server has not ended it yet) is removed first; one of another live
   * session means another process runs with this id: that is an error.
   */
  private async createMembership(zk: ZkClient, data: Buffer): Promise<void> {
    const path = `workers/${this.id}`;
    try {
      await zk.createEphemeral(path, data);
      return;
    } catch (err) {
      if (!(err instanceof NodeExistsError)) throw err;
    }
    const owner = await zk.ephemeralOwner(path);
    if (owner !== null && !this.ownSessions.has(owner)) {
      throw new Error(`another worker with id ${this.id} is registered (session ${owner})`);
    }
    await zk.remove(path);
    await zk.createEphemeral(path, data);
  }

  /** The session expired (or was refused): whatever we still hold belongs to others now. Stop, then join as a new member. */
  private async rejoin(expired: ZkClient, refused?: string): Promise<void> {
    if (this.stopping || this.zk !== expired) return;
    this.events.emit('session_lost', { session: expired.sessionId, by: expired.expiredBy, refused: refused ?? null });
    this.zk = null;
    this.pastSessions.push(expired.session);
    this.rebalancer?.stop();
    this.election?.close();
    this.rebalancer = null;
    this.election = null;
    const old = this.removeRunners();
    // Queues stay: the new session's follow-ups run after the old ones, which now end at once.
    this.watched.clear();
    // Bounded: what they still hold is fenced in Redis once another worker claims it, so a task that cannot
    // drain (a write stuck on a service) must not keep this worker out of the cluster; it ends on its own.
    const stuck: string[] = [];
    await Promise.all(
      old.map((r) =>
        withTimeout(r.stop(), STOP_ON_SESSION_LOSS_MS, 'did not stop').catch((err: unknown) => {
          if (err instanceof TimeoutError) stuck.push(r.topologyName);
        }),
      ),
    );
    if (stuck.length > 0) this.log.warn({ topologies: stuck, ms: STOP_ON_SESSION_LOSS_MS }, 'tasks of the expired session did not stop in time: rejoining without them');
    this.log.info('stopped all tasks of the expired session');
    await expired.close().catch(() => {});
    await retry(() => this.join(), REJOIN_RETRY, {
      // Every try opens a new session: what failed the last one (its session expired, say) says nothing of the next.
      retriable: () => true,
      shouldRetry: () => !this.stopping,
      // One line while ZooKeeper stays away; `joined` says when it is back.
      onRetry: (err, attempt) => {
        if (attempt === 0) this.log.warn({ err: (err as Error).message }, 'rejoin failed; retrying until ZooKeeper answers');
      },
    }).catch(() => {}); // only once stopping
  }

  private watchTopologies(zk: ZkClient): void {
    zk.watchChildren('topologies', (names) => {
      if (this.zk !== zk) return;
      for (const name of names ?? []) {
        if (this.watched.has(name)) continue;
        this.watched.add(name);
        zk.watchData(`assignments/${name}`, () => {
          if (this.zk === zk) this.enqueue(name);
        });
        this.enqueue(name);
      }
    });
  }

  private enqueue(topology: string): void {
    const prev = this.queues.get(topology) ?? Promise.resolve();
    const next = prev
      .then(() => this.follow(topology))
      .then(() => {
        if (this.failing.delete(topology)) this.log.info({ topology }, 'assignment applied after failures');
      })
      .catch((err: Error) => {
        if (!isRetriable(err)) {
          // Trying the same again would fail the same way: the next change of the assignment (or a new session) tries.
          this.failing.delete(topology);
          this.log.error({ topology, err: err.message }, 'could not apply assignment; not retrying until it changes');
          return;
        }
        let backoff = this.failing.get(topology);
        if (backoff === undefined) {
          this.log.error({ topology, err: err.message }, 'could not apply assignment; retrying');
          this.failing.set(topology, (backoff = new Backoff(FOLLOW_RETRY)));
        }
        setTimeout(() => this.enqueue(topology), backoff.failed()).unref();
      });
    this.queues.set(topology, next);
  }

  private removeRunner(topology: string, runner: TopologyRunner): void {
    this.runners.delete(topology);
    this.events.emit('runner_stopped', { topology, runner });
  }

  /** Takes every runner out (to be stopped by the caller). */
  private removeRunners(): TopologyRunner[] {
    const old = [...this.runners];
    for (const [topology, runner] of old) this.removeRunner(topology, runner);
    return old.map(([, runner]) => runner);
  }

  /** Brings this worker's tasks of `topology` in line with its current assignment. */
  private async follow(topology: string): Promise<void> {
    if (this.stopping || this.zk === null) return;
    const zk = this.zk;
    const [spec, current] = await Promise.all([readSpec(zk, topology), readAssignment(zk, topology)]);
    // The session may have ended meanwhile: the new one follows the assignment itself.
    if (this.zk !== zk) return;
    const runner = this.runners.get(topology);
    const mine = current === null ? [] : partitionsOf(current.assignment, this.id);
    if (spec === null || spec.spec.status !== 'active' || (mine.length === 0 && current !== null)) {
      if (runner) {
        this.removeRunner(topology, runner);
        await runner.stop();
        this.log.info({ topology }, 'stopped: no partitions assigned here');
      }
      return;
    }
    if (current === null) return;
    let r = runner;
    if (r !== undefined && r.specVersion !== spec.spec.version) {
      // A redeploy changed the topology: drain the old one, then run the new one.
      this.removeRunner(topology, r);
      await r.stop();
      this.log.info({ topology, version: spec.spec.version }, 'restarting on a new spec version');
      r = undefined;
    }
    if (r !== undefined && r.generation === current.assignment.generation) return;
    if (r === undefined) {
      const t = await loadTopology(spec.spec.module, topologySettings(spec.spec));
      r = new TopologyRunner({
        store: this.store,
        outbox: new KafkaOutbox(KafkaConnection.of(this.opts.config)),
        consumers: (opts) => new PartitionReader({ connection: KafkaConnection.of(this.opts.config), ...opts }),
        offsets: new ZkOffsetStore(zk),
        registry: tabTypesOf(t, this.registry),
        topology: t,
        partitions: spec.spec.partitions,
        workerId: this.id,
        flushIntervalMs: spec.spec.config.flushIntervalMs,
        specVersion: spec.spec.version,
        log: this.log.child({ topology }),
        workingSet: this.workingSet,
      });
      // A partition that starts or stops stalling, or stalls for another reason, is published at once.
      const publish = () => void this.publishHealth().catch(() => {});
      r.events.on('stalled', publish).on('resumed', publish);
      const times = new DurationSummary();
      this.checkpointTimes.set(r, times);
      r.events.on('checkpoint', (c) => times.note(c.seconds * 1000));
      await r.start();
      if (this.zk !== zk || this.stopping) {
        await r.stop();
        return;
      }
      this.runners.set(topology, r);
      this.events.emit('runner_started', { topology, runner: r });
    }
    await r.assign(current.assignment.generation, mine);
  }
}
