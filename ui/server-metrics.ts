// The `/metrics` of `topology serve`: the cluster as `topology status` sees
// it, for every deployed topology (lag, events folded and last flush per
// partition, read from ZooKeeper, Kafka and Redis at scrape time), and the
// server's own HTTP requests.
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import type { TopologyStatus } from '../topology/deploy/topology-status';
import { scrapedCounter, scrapedGauge, type Sample } from '../topology/runtime/scraped-metrics';
import type { QueryCache } from './query-cache';
import type { ClusterReader } from './cluster-reader';

/** What one scrape read: each topology's status, or why it could not be read. */
interface ClusterSnapshot {
  listed: boolean;
  statuses: Array<{ topology: string; status: TopologyStatus | null }>;
}

/** Collect callbacks run concurrently; they share one read of the cluster per scrape. */
const SNAPSHOT_REUSE_MS = 500;

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly auth: Counter<'token' | 'result'>;
  private snapshot: { at: number; read: Promise<ClusterSnapshot> } | null = null;

  constructor(
    private readonly reader: ClusterReader,
    cache: QueryCache | null = null,
  ) {
    collectDefaultMetrics({ register: this.registry });
    scrapedCounter(this.registry, {
      name: 'tabstream_query_cache_total',
      help: 'State queries answered from the shared cache (hit) or by reading Redis (miss)',
      labelNames: ['result'],
      read: () => (cache === null ? [] : [[{ result: 'hit' }, cache.hits], [{ result: 'miss' }, cache.misses]]),
    });
    this.requests = new Counter({
      name: 'tabstream_http_requests_total',
      help: 'HTTP requests answered by topology serve, by route and status code',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.auth = new Counter({
      name: 'tabstream_http_auth_total',
      help: 'Requests checked for a bearer token, by the token’s name (none when refused) and result: accepted, missing or wrong',
      labelNames: ['token', 'result'],
      registers: [this.registry],
    });
    const partitionGauge = (name: string, help: string, value: (p: TopologyStatus['partitions'][number], now: number) => number | null): void =>
      scrapedGauge(this.registry, {
        name,
        help,
        labelNames: ['topology', 'partition'],
        read: async () => {
          const now = Date.now();
          return (await this.read()).statuses.flatMap(({ topology, status }) =>
            (status?.partitions ?? []).flatMap((p): Sample[] => {
              const v = value(p, now);
              return v === null ? [] : [[{ topology, partition: String(p.partition) }, v]];
            }),
          );
        },
      });
    partitionGauge('tabstream_partition_lag', 'Records of the partition not yet folded: end offset minus position', (p) => p.lag);
    partitionGauge('tabstream_partition_events_folded', 'Events folded into the partition’s states, as checkpointed in Redis', (p) => p.events);
    partitionGauge('tabstream_partition_last_flush_age_seconds', 'Seconds since the partition’s last checkpoint', (p, now) =>
      p.lastFlush === null ? null : (now - p.lastFlush) / 1000,
    );
    scrapedGauge(this.registry, {
      name: 'tabstream_partition_stalled',
      help: 'Seconds a partition has been stalled, by kind (its owner’s report, or no checkpoint while records wait); absent when it moves or idles',
      labelNames: ['topology', 'partition', 'kind'],
      read: async () => {
        const now = Date.now();
        return (await this.read()).statuses.flatMap(({ topology, status }) =>
          (status?.partitions ?? []).flatMap((p): Sample[] =>
            p.stalled === null ? [] : [[{ topology, partition: String(p.partition), kind: p.stalled.kind }, (now - p.stalled.since) / 1000]],
          ),
        );
      },
    });
    scrapedGauge(this.registry, {
      name: 'tabstream_service_up',
      help: '1 when the topology’s status could read the service at this scrape, else 0',
      labelNames: ['topology', 'service'],
      read: async () =>
        (await this.read()).statuses.flatMap(({ topology, status }): Sample[] =>
          status === null
            ? []
            : (['Kafka', 'Redis'] as const).map((service): Sample => [
                { topology, service: service.toLowerCase() },
                status.unavailable.some((u) => u.startsWith(`${service}:`)) ? 0 : 1,
              ]),
        ),
    });
    const topologyGauge = (name: string, help: string, value: (s: TopologyStatus) => number | null): void =>
      scrapedGauge(this.registry, {
        name,
        help,
        labelNames: ['topology'],
        read: async () =>
          (await this.read()).statuses.flatMap(({ topology, status }): Sample[] => {
            const v = status === null ? null : value(status);
            return v === null ? [] : [[{ topology }, v]];
          }),
      });
    topologyGauge('tabstream_topology_lag', 'Records of all partitions not yet folded', (s) => s.totalLag);
    topologyGauge('tabstream_topology_generation', 'The topology’s assignment generation', (s) => s.generation);
    topologyGauge('tabstream_topology_workers', 'Workers that hold partitions of the topology', (s) =>
      new Set(s.partitions.flatMap((p) => (p.worker === null ? [] : [p.worker]))).size,
    );
    scrapedGauge(this.registry, {
      name: 'tabstream_topology_status_up',
      help: '1 when the topology’s status could be read at this scrape, else 0',
      labelNames: ['topology'],
      read: async () => (await this.read()).statuses.map(({ topology, status }): Sample => [{ topology }, status === null ? 0 : 1]),
    });
    scrapedGauge(this.registry, {
      name: 'tabstream_cluster_up',
      help: '1 when the deployed topologies could be listed from ZooKeeper at this scrape, else 0',
      labelNames: [],
      read: async () => [[{}, (await this.read()).listed ? 1 : 0]],
    });
  }

  /** Counts one answered request; `route` is a known path or `other`, so the label set stays small. */
  countRequest(method: string, route: string, status: number): void {
    this.requests.inc({ method, route, status: String(status) });
  }

  /** Counts one request checked for a token: the token's name (never the token), or `none`. */
  countAuth(token: string, result: 'accepted' | 'missing' | 'wrong'): void {
    this.auth.inc({ token, result });
  }

  private read(): Promise<ClusterSnapshot> {
    const now = Date.now();
    if (this.snapshot !== null && now - this.snapshot.at < SNAPSHOT_REUSE_MS) return this.snapshot.read;
    const read = this.readCluster();
    this.snapshot = { at: now, read };
    return read;
  }

  /** Never rejects: what cannot be read is reported as down, so the rest of the scrape still answers. */
  private async readCluster(): Promise<ClusterSnapshot> {
    let names: string[];
    try {
      names = (await this.reader.topologies()).map((s) => s.name);
    } catch {
      return { listed: false, statuses: [] };
    }
    const statuses = await Promise.all(
      names.map(async (topology) => ({ topology, status: await this.reader.status(topology).catch(() => null) })),
    );
    return { listed: true, statuses };
  }
}
