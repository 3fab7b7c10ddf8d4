import type { HandlerRegistry } from '../bolts/handlers/registry';
import type { RedisStateStore } from './redis-state-store';
import { aggregateTab, mergeProjections, superAggregate, type RenderedAggregate as Rendered } from './aggregate';

/** A Tab's aggregate, merged across its clients. */
export type RenderedAggregate = Rendered & { clients: number };

/**
 * An object keyed by Tab or client names: with no prototype, so a name like
 * `__proto__`, `constructor` or `toString` is an own key like any other (on a
 * plain object, `out['__proto__'] = x` sets the prototype and the Tab
 * vanishes from the answer). JSON.stringify and Object.keys/entries read it
 * as any object.
 */
export function nameKeyed<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** A regular expression anchored at both ends, as every query pattern is. */
export function anchored(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (err) {
    throw new Error(`bad pattern '${pattern}': ${(err as Error).message}`);
  }
}

export interface ClientProjection {
  client: string;
  projection: unknown;
}

export interface TabProjections {
  tab: string;
  type: string;
  clients: ClientProjection[];
}

/**
 * Reads a topology's states from Redis and answers the queries the CLI, the
 * HTTP API and the dashboard share: aggregates merged across the clients of
 * each Tab, per-client projections, and listings.
 */
export class TabQuery {
  constructor(
    private readonly store: RedisStateStore,
    private readonly registry: HandlerRegistry,
    private readonly topology: string,
  ) {}

  /** The projections at `now` of every state whose Tab and client match. */
  async collect(tabPattern = '.*', clientPattern = '.*', now = Date.now()): Promise<Map<string, TabProjections>> {
    const tabRe = anchored(tabPattern);
    const clientRe = anchored(clientPattern);
    const partitions = (await this.store.partitionCount(this.topology)) ?? 0;
    const out = new Map<string, TabProjections>();
    for (let p = 0; p < partitions; p++) {
      for await (const s of this.store.scanStates(this.topology, p, (tab, client) => tabRe.test(tab) && clientRe.test(client))) {
        const handler = this.registry.get(s.type);
        if (handler === undefined) continue;
        let entry = out.get(s.tab);
        if (entry === undefined) out.set(s.tab, (entry = { tab: s.tab, type: s.type, clients: [] }));
        entry.clients.push({ client: s.client, projection: handler.project(handler.deserialize(s.bytes), now) });
      }
    }
    return out;
  }

  /** One aggregate per matching Tab, merged across its matching clients, keyed and sorted by Tab. */
  async aggregate(tabPattern: string, clientPattern?: string, now = Date.now()): Promise<Record<string, RenderedAggregate>> {
    const collected = await this.collect(tabPattern, clientPattern, now);
    const out = nameKeyed<RenderedAggregate>();
    for (const tab of [...collected.keys()].sort()) {
      const entry = collected.get(tab)!;
      out[tab] = this.render(tab, entry.type, entry.clients.map((c) => c.projection));
    }
    return out;
  }

  /** Per Tab, per client: each client's own rendered projection. */
  async projections(tabPattern: string, clientPattern?: string, now = Date.now()): Promise<Record<string, Record<string, RenderedAggregate>>> {
    const collected = await this.collect(tabPattern, clientPattern, now);
    const out = nameKeyed<Record<string, RenderedAggregate>>();
    for (const tab of [...collected.keys()].sort()) {
      const entry = collected.get(tab)!;
      const perClient = nameKeyed<RenderedAggregate>();
      for (const c of [...entry.clients].sort((a, b) => (a.client < b.client ? -1 : 1))) {
        perClient[c.client] = this.render(tab, entry.type, [c.projection]);
      }
      out[tab] = perClient;
    }
    return out;
  }

  /** Merges the matching Tabs of each type into one super-aggregate named `name` (one per type). */
  async superAggregate(name: string, tabPattern: string, clientPattern?: string, now = Date.now()): Promise<Rendered[]> {
    const collected = await this.collect(tabPattern, clientPattern, now);
    const byType = new Map<string, unknown[]>();
    for (const entry of collected.values()) {
      const perTab = mergeProjections(entry.type, entry.clients.map((c) => c.projection), this.registry);
      byType.set(entry.type, [...(byType.get(entry.type) ?? []), perTab]);
    }
    return [...byType].map(([type, projections]) => superAggregate(name, type, projections, this.registry));
  }

  /** Matching Tabs with their type and client count. */
  async tabs(tabPattern = '.*'): Promise<Array<{ tab: string; type: string; clients: number }>> {
    const collected = await this.collect(tabPattern);
    return [...collected.values()].map((e) => ({ tab: e.tab, type: e.type, clients: e.clients.length })).sort((a, b) => (a.tab < b.tab ? -1 : 1));
  }

  /** Distinct clients of the matching Tabs. */
  async clients(tabPattern = '.*'): Promise<string[]> {
    const collected = await this.collect(tabPattern);
    const all = new Set<string>();
    for (const e of collected.values()) for (const c of e.clients) all.add(c.client);
    return [...all].sort();
  }

  private render(name: string, type: string, projections: unknown[]): RenderedAggregate {
    return aggregateTab(name, type, projections, this.registry) as RenderedAggregate;
  }
}
