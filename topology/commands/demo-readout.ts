// What the demo reads back from Redis while it runs: the aggregates of its
// topology (through TabQuery, as `topology query` does) and how many events
// its partitions have folded (the `events` totals of their meta hashes).
import { CLIENT_TIMEOUT_MS, redisClient, type RedisConnection } from '../../state/redis-client';
import type { HandlerRegistry } from '../../tabs/handlers/registry';
import { RedisStateStore } from '../../state/redis-state-store';
import { TabQuery, type RenderedAggregate } from '../../state/tab-query';
import type { TabstreamConfig } from '../config';

export class DemoReadout {
  private readonly redis: RedisConnection;
  private readonly store: RedisStateStore;
  private readonly query: TabQuery;

  constructor(
    config: TabstreamConfig,
    private readonly topology: string,
    private readonly partitions: number,
    /** The deployed topology's Tab types (typesOfSpec). */
    types: HandlerRegistry,
  ) {
    // Reconnects by itself; a failed or timed-out read shows in the table's header.
    this.redis = redisClient(config, { timeoutMs: CLIENT_TIMEOUT_MS, maxRetriesPerRequest: 1 });
    this.store = new RedisStateStore(this.redis, { prefix: config.redisPrefix });
    this.query = new TabQuery(this.store, types, topology);
  }

  aggregates(): Promise<Record<string, RenderedAggregate>> {
    return this.query.aggregate('.*');
  }

  /** Events folded into the topology's state, all time, over every partition. */
  async folded(): Promise<number> {
    // One pipelined round: a Redis that does not answer costs one timeout, not one per partition.
    const metas = await this.store.readMetas(this.topology, this.partitions);
    return metas.reduce((sum, m) => sum + m.events, 0);
  }

  /** The partitions whose Redis generation shows they were claimed under `generation` or later. */
  async claimed(partitions: number[], generation: number): Promise<number[]> {
    const metas = await Promise.all(partitions.map((p) => this.store.readMeta(this.topology, p)));
    return partitions.filter((_, i) => metas[i]!.generation >= generation);
  }

  close(): void {
    this.redis.disconnect();
  }
}
