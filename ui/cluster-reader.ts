// What the HTTP server reads, over connections it keeps for its lifetime:
// aggregates from Redis (TabQuery, as the CLI reads them) and topology
// status and listings from ZooKeeper (plus Kafka, for status).
import { redisClient, type RedisConnection } from '../state/redis-client';
import type { TabstreamConfig } from '../topology/config';
import { ZkClient } from '../topology/coordination/zk-client';
import { listSpecs, readSpec } from '../topology/coordination/spec-store';
import { topologyStatus, type TopologyStatus } from '../topology/deploy/topology-status';
import type { TopologySpec } from '../topology/deploy/topology-spec';
import { defaultRegistry, type HandlerRegistry } from '../tabs/handlers/registry';
import { RedisStateStore } from '../state/redis-state-store';
import { TabQuery } from '../state/tab-query';
import type { QueryBudget } from '../state/query-budget';
import { withTimeout } from '../contracts/with-timeout';
import { typesOfSpec } from '../topology/deploy/spec-types';
import { TopologyTypesCache } from './topology-types-cache';

/**
 * How long a topology's status is reused. Reading it opens a Kafka admin
 * client, so a dashboard per browser tab, polling, and a Prometheus scrape
 * share one read per second instead of each paying for their own (counted
 * from the read's start, and never more than one read in flight).
 */
const STATUS_REUSE_MS = 1000;
/**
 * A Redis or ZooKeeper call unanswered this long fails the request (503)
 * rather than hanging it: the API answers within 2 s whatever is down.
 */
const SERVICE_TIMEOUT_MS = 1500;
/** How long a topology's Tab types are reused before its spec is read again (in the background). */
const TYPES_REUSE_MS = 5000;

export interface ClusterReaderOptions {
  /** The types every topology has (default: the built-in ones); each adds those its module registers. */
  base?: HandlerRegistry;
  /** Where a degraded answer is said (ZooKeeper not answering for a topology's types), one line each. */
  warn?: (line: string) => void;
}

/** How long a health probe waits for Redis or ZooKeeper (they answer a PING or an exists in ms): the dashboard turns red within 3 s of either stopping. */
const PROBE_TIMEOUT_MS = 800;

/** One service's answer to a probe: whether it answered in time, how fast, and what went wrong. */
export interface ServiceProbe {
  ok: boolean;
  ms: number;
  error?: string;
}

interface StatusRead {
  status: Promise<TopologyStatus>;
  /**
   * When the read started: a reading is reused for STATUS_REUSE_MS from then,
   * not from its end, so one that waited its whole timeout on a hung Redis is
   * not served for another second on top (stalls showed that much later).
   */
  startedAt: number;
  done: boolean;
}

export class ClusterReader {
  private readonly base: HandlerRegistry;
  private readonly warn: (line: string) => void;
  private readonly types: TopologyTypesCache;
  private readonly redis: RedisConnection;
  private readonly store: RedisStateStore;
  private zk: Promise<ZkClient> | null = null;
  private readonly statuses = new Map<string, StatusRead>();

  constructor(readonly config: TabstreamConfig, opts: ClusterReaderOptions = {}) {
    this.base = opts.base ?? defaultRegistry();
    this.warn = opts.warn ?? (() => {});
    this.types = new TopologyTypesCache((topology, refresh) => this.loadTypes(topology, refresh), TYPES_REUSE_MS);
    // It reconnects by itself; a request made meanwhile fails with its error, within the API's answer time.
    this.redis = redisClient(config, { timeoutMs: SERVICE_TIMEOUT_MS, maxRetriesPerRequest: 0 });
    this.store = new RedisStateStore(this.redis, { prefix: config.redisPrefix });
  }

  /** Queries of `topology`'s state, within `budget` (one per request), with its Tab types. */
  async query(topology: string, budget?: QueryBudget): Promise<TabQuery> {
    return new TabQuery(this.store, await this.typesOf(topology), topology, budget);
  }

  /** Whether `topology` has state in Redis: the partition count its deploy wrote (kill leaves it, with the aggregates). */
  async hasState(topology: string): Promise<boolean> {
    return (await this.store.partitionCount(topology)) !== null;
  }

  /** A query for listings of `topology` (`listTabs`, `listClients`), which read names, never states: no types loaded. */
  listing(topology: string, budget?: QueryBudget): TabQuery {
    return new TabQuery(this.store, this.base, topology, budget);
  }

  /**
   * The Tab types of the topology deployed as `topology`: the built-in ones
   * and those its module (the spec's `module`) registers; the built-in ones
   * alone when none is deployed under that name, or, said by `warn`, while
   * ZooKeeper does not answer. A module that fails to load fails the
   * request with one line naming it (tried again after TYPES_REUSE_MS).
   */
  typesOf(topology: string): Promise<HandlerRegistry> {
    return this.types.get(topology);
  }

  /** A refresh that cannot read the spec fails, so the types loaded before stay; a first load falls back to the built-ins. */
  private async loadTypes(topology: string, refresh: boolean): Promise<HandlerRegistry> {
    let found;
    try {
      found = await readSpec(await this.zookeeper(), topology);
    } catch (err) {
      if (refresh) throw err;
      this.warn(`${topology}: could not read its spec from ZooKeeper (${(err as Error).message}): built-in Tab types only until it answers`);
      return this.base;
    }
    return found === null ? this.base : typesOfSpec(found.spec, this.base);
  }

  /** The topology's status, as `topology status --json` prints it (one read in flight, reused for a second). */
  status(topology: string): Promise<TopologyStatus> {
    const cached = this.statuses.get(topology);
    if (cached !== undefined && (!cached.done || Date.now() - cached.startedAt < STATUS_REUSE_MS)) return cached.status;
    const entry: StatusRead = { startedAt: Date.now(), done: false, status: this.zookeeper().then((zk) => topologyStatus(zk, this.config, topology, SERVICE_TIMEOUT_MS)) };
    this.statuses.set(topology, entry);
    entry.status.then(
      () => void (entry.done = true),
      // A failure is not reused: the next request tries again.
      () => void (this.statuses.get(topology) === entry && this.statuses.delete(topology)),
    );
    return entry.status;
  }

  /**
   * A string that changes whenever a checkpoint of any of the topology's
   * partitions lands (each partition's token, watermark and flush time, read
   * in one pipelined round): what the query cache checks its answers against.
   */
  async stateVersion(topology: string): Promise<string> {
    const partitions = (await this.store.partitionCount(topology)) ?? 0;
    const metas = await this.store.readMetas(topology, partitions);
    return metas.map((m) => `${m.token}.${m.watermark}.${m.flushedAt ?? ''}`).join(',');
  }

  /** Whether Redis (a PING) and ZooKeeper (an exists) answer now, each within 0.8 s. */
  async probe(): Promise<{ redis: ServiceProbe; zookeeper: ServiceProbe }> {
    const time = async (call: () => Promise<unknown>, service: string): Promise<ServiceProbe> => {
      const started = performance.now();
      try {
        await withTimeout(call(), PROBE_TIMEOUT_MS, `${service} did not answer within ${PROBE_TIMEOUT_MS / 1000} s`);
        return { ok: true, ms: Math.round(performance.now() - started) };
      } catch (err) {
        return { ok: false, ms: Math.round(performance.now() - started), error: (err as Error).message };
      }
    };
    const [redis, zookeeper] = await Promise.all([
      time(() => this.redis.ping(), 'Redis'),
      time(async () => (await this.zookeeper()).exists('topologies'), 'ZooKeeper'),
    ]);
    return { redis, zookeeper };
  }

  /** The spec deployed as `topology`, or null when none is. */
  async spec(topology: string): Promise<TopologySpec | null> {
    return (await readSpec(await this.zookeeper(), topology))?.spec ?? null;
  }

  /** The deployed topologies, by name. */
  async topologies(): Promise<TopologySpec[]> {
    return listSpecs(await this.zookeeper());
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    const zk = await this.zk?.catch(() => null);
    this.zk = null;
    await zk?.close();
  }

  /** The ZooKeeper session, opened on first use and opened again after it expired or failed to open. */
  private zookeeper(): Promise<ZkClient> {
    if (this.zk === null) {
      const opening = ZkClient.forConfig(this.config, { connectTimeoutMs: SERVICE_TIMEOUT_MS, operationTimeoutMs: SERVICE_TIMEOUT_MS });
      this.zk = opening;
      const forget = () => {
        if (this.zk === opening) this.zk = null;
      };
      opening.then((zk) => {
        // Opened again on next use: a refused session (auth_failed) fails that use with its one-line reason.
        for (const ended of ['session_expired', 'auth_failed'] as const) {
          zk.on(ended, () => {
            forget();
            void zk.close();
          });
        }
      }, forget);
    }
    return this.zk;
  }
}
