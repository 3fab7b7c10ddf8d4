import type { HandlerRegistry } from '../tabs/handlers/registry';
import type { RedisStateStore } from './redis-state-store';
import { aggregateTab, mergeProjections, renderStoredTab, renderTab, superAggregate, type RenderedAggregate as Rendered } from './aggregate';
import { QueryBudget } from './query-budget';
import { isRecord } from './redis-keys';
import { storedRecordState } from './stored-record';
import { compilePattern, type NamePattern } from './user-pattern';

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

/** A user's pattern, compiled for a linear-time engine and anchored at both ends, as every query pattern is (PatternError when it cannot be run). */
export function anchored(pattern: string): NamePattern {
  return compilePattern(pattern);
}

export interface TabListing {
  tabs: Array<{ tab: string; type: string; clients?: number }>;
  /** Pass it as `cursor` for the next page; null when this page is the last. */
  next: string | null;
}

export interface ClientListing {
  clients: string[];
  next: string | null;
}

export interface PageRequest {
  /** Most entries in the page; default DEFAULT_PAGE_SIZE, at most MAX_PAGE_SIZE. */
  limit?: number;
  /** The previous page's `next`: the page starts after this name. */
  cursor?: string;
}

export const DEFAULT_PAGE_SIZE = 1000;
export const MAX_PAGE_SIZE = 10_000;

/** Names compared as the listings sort them (UTF-16 code units, as Array.prototype.sort). */
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** How many client names' matches a query remembers (a name is matched once, however many Tabs it recorded). */
const CLIENT_MEMO_SIZE = 100_000;

export interface ClientProjection {
  client: string;
  projection: unknown;
}

export interface TabProjections {
  tab: string;
  type: string;
  clients: ClientProjection[];
}

/** Adds one partition's answer for a Tab (its projection merged across clients there, and how many) to the query's. */
type AddAggregate = (tab: string, type: string, merged: unknown, clients: number) => void;

/**
 * A Tab record kept as its bytes while it merges with nothing: rendered
 * from them at the end (TabHandler.renderStored), never made into a
 * projection, where its handler can; projected once something merges with it.
 */
class StoredRecord {
  constructor(readonly bytes: Uint8Array) {}
}

/**
 * Reads a topology's states from Redis and answers the queries the CLI, the
 * HTTP API and the dashboard share: aggregates merged across the clients of
 * each Tab, per-client projections, and listings.
 *
 * Every query runs within `budget` (time, states and names read, Tabs
 * answered: QueryBudgetError past it), its patterns on a linear-time engine,
 * and its CPU-bound loops (matching names, decoding and merging states) give
 * the event loop a turn every few ms. Listings read the `types` hashes (Tab
 * names and types) and, for clients, the names of states, never their bytes.
 */
export class TabQuery {
  constructor(
    private readonly store: RedisStateStore,
    private readonly registry: HandlerRegistry,
    private readonly topology: string,
    private readonly budget: QueryBudget = QueryBudget.unlimited(),
  ) {}

  /** The projections at `now` of every client state whose Tab and client match (Tab records are not clients). */
  async collect(tabPattern = '.*', clientPattern = '.*', now = Date.now()): Promise<Map<string, TabProjections>> {
    const clientMatches = this.memo(compilePattern(clientPattern));
    const out = new Map<string, TabProjections>();
    for (const [p, tabs] of await this.matchingTabs(compilePattern(tabPattern))) await this.collectIn(p, tabs, clientMatches, now, out);
    return out;
  }

  /** Into `out`, the projections of the client states of these Tabs of partition p whose client matches. */
  private async collectIn(p: number, tabs: ReadonlyMap<string, string>, clientMatches: (client: string) => boolean, now: number, out: Map<string, TabProjections>): Promise<void> {
    if (tabs.size === 0) return; // a partition with no matching Tab: none of its states is read
    for await (const s of this.store.scanStates(this.topology, p, (tab, client) => tabs.has(tab) && !isRecord(client) && clientMatches(client), tabs)) {
      this.budget.countState();
      await this.budget.tick();
      const handler = this.registry.get(s.type);
      if (handler === undefined) continue;
      let entry = out.get(s.tab);
      if (entry === undefined) out.set(s.tab, (entry = { tab: s.tab, type: s.type, clients: [] }));
      entry.clients.push({ client: s.client, projection: handler.project(handler.deserialize(s.bytes), now) });
    }
  }

  /**
   * Per matching Tab, its projection merged across the matching clients and
   * how many they are. Across all clients (no client pattern), a Tab with a
   * record reads that one state and its stored client count; a Tab without
   * (a type without mergeState, or data no worker rebuilt records for yet)
   * and any query with a client pattern read and merge the client states.
   */
  private async tabAggregates(tabPattern: string, clientPattern: string | undefined, now: number): Promise<Map<string, { type: string; merged: unknown; clients: number }>> {
    const clientRe = compilePattern(clientPattern ?? '.*');
    // One memo for the whole query, as collect() keeps: a client recorded in many partitions is matched once.
    const clientMatches = this.memo(clientRe);
    const out = new Map<string, { type: string; merged: unknown; clients: number }>();
    // A Tab's states are in one partition when the fold is keyed by Tab; a fold keyed otherwise (by client) spreads
    // them, each partition with a record of its own clients: what each partition answers merges into the Tab's.
    const add: AddAggregate = (tab, type, merged, clients) => {
      const held = out.get(tab);
      if (held === undefined) out.set(tab, { type, merged, clients });
      else out.set(tab, { type, merged: this.registry.get(type)!.merge(this.projected(type, held.merged, now), this.projected(type, merged, now)), clients: held.clients + clients });
    };
    const tabRe = compilePattern(tabPattern);
    if (tabRe.literal !== null && clientRe.matchesAll) {
      await this.oneTabAggregate(tabRe.literal, clientMatches, now, add);
      return out;
    }
    const matching = [...(await this.matchingTabs(tabRe))];
    // Across all clients, the Tabs whose type keeps records read their record (one state each): a
    // query that would read more states than its budget stops here, before reading any.
    const recordTabs = matching.map(([, tabs]) => (clientRe.matchesAll ? [...tabs].filter(([, type]) => this.registry.get(type)?.mergeState !== undefined).map(([tab]) => tab) : []));
    this.budget.checkStates(recordTabs.reduce((n, tabs) => n + tabs.length, 0));
    // Every partition's records asked for at once (one connection pipelines the rounds), where one
    // partition after the other waited for each in turn; they are all held until rendered anyway.
    const reads = matching.map(([p], i) => this.store.readRecords(this.topology, p, recordTabs[i]!));
    // Awaited in order below, where a failure is thrown: not left unhandled while an earlier one is awaited.
    for (const read of reads) read.catch(() => {});
    for (let i = 0; i < matching.length; i++) {
      const [p, tabs] = matching[i]!;
      const withRecords = recordTabs[i]!;
      const read = await reads[i]!;
      const unread = new Map(tabs);
      for (let j = 0; j < withRecords.length; j++) {
        const { record, delta, clients } = read[j]!;
        if (record === null) continue;
        const tab = withRecords[j]!;
        await this.addRecord(tab, tabs.get(tab)!, record, delta, clients, now, add);
        unread.delete(tab);
      }
      await this.addMergedClients(p, unread, clientMatches, now, add);
    }
    return out;
  }

  /** A Tab's record (its base merged with its delta, when Redis holds one), projected at `now` and added as its aggregate in this partition. */
  private async addRecord(tab: string, type: string, record: Buffer, delta: Buffer | null, clients: number | null, now: number, add: AddAggregate): Promise<void> {
    this.budget.countState();
    await this.budget.tick();
    const handler = this.registry.get(type)!;
    if (delta === null) {
      add(tab, type, handler.renderStored !== undefined ? new StoredRecord(record) : handler.project(handler.deserialize(record), now), clients ?? 0);
      return;
    }
    add(tab, type, handler.project(storedRecordState(handler, record, delta), now), clients ?? 0);
  }

  /** A Tab's aggregate so far as a projection (a stored record projected now). */
  private projected(type: string, merged: unknown, now: number): unknown {
    if (!(merged instanceof StoredRecord)) return merged;
    const handler = this.registry.get(type)!;
    return handler.project(handler.deserialize(merged.bytes), now);
  }

  /** The matching client states of these Tabs of partition p, merged per Tab and added. */
  private async addMergedClients(p: number, tabs: ReadonlyMap<string, string>, clientMatches: (client: string) => boolean, now: number, add: AddAggregate): Promise<void> {
    const inPartition = new Map<string, TabProjections>();
    await this.collectIn(p, tabs, clientMatches, now, inPartition);
    for (const [tab, entry] of inPartition) {
      await this.budget.tick();
      add(tab, entry.type, mergeProjections(entry.type, entry.clients.map((c) => c.projection), this.registry), entry.clients.length);
    }
  }

  /**
   * One Tab across all its clients, the dashboard's and the CLI's commonest
   * question: its type, record and client count in every partition in one
   * round (RedisStateStore.readTabAcrossPartitions). A partition where the
   * Tab has a type but no record (a type without records, or data no worker
   * rebuilt records for yet) merges its client states instead.
   */
  private async oneTabAggregate(tab: string, clientMatches: (client: string) => boolean, now: number, add: AddAggregate): Promise<void> {
    for (const { partition, type, record, delta, clients } of await this.store.readTabAcrossPartitions(this.topology, tab)) {
      if (record !== null && this.registry.get(type)?.mergeState !== undefined) await this.addRecord(tab, type, record, delta, clients, now, add);
      else await this.addMergedClients(partition, new Map([[tab, type]]), clientMatches, now, add);
    }
  }

  /** One aggregate per matching Tab, merged across its matching clients, keyed and sorted by Tab. */
  async aggregate(tabPattern: string, clientPattern?: string, now = Date.now()): Promise<Record<string, RenderedAggregate>> {
    const tabs = await this.tabAggregates(tabPattern, clientPattern, now);
    this.budget.checkTabs(tabs.size);
    const out = nameKeyed<RenderedAggregate>();
    for (const tab of [...tabs.keys()].sort(byName)) {
      await this.budget.tick();
      const { type, merged, clients } = tabs.get(tab)!;
      out[tab] = (
        merged instanceof StoredRecord ? renderStoredTab(tab, type, merged.bytes, clients, now, this.registry) : renderTab(tab, type, merged, clients, this.registry)
      ) as RenderedAggregate;
    }
    return out;
  }

  /** Per Tab, per client: each client's own rendered projection. */
  async projections(tabPattern: string, clientPattern?: string, now = Date.now()): Promise<Record<string, Record<string, RenderedAggregate>>> {
    const collected = await this.collect(tabPattern, clientPattern, now);
    this.budget.checkTabs(collected.size);
    const out = nameKeyed<Record<string, RenderedAggregate>>();
    for (const tab of [...collected.keys()].sort(byName)) {
      const entry = collected.get(tab)!;
      const perClient = nameKeyed<RenderedAggregate>();
      for (const c of [...entry.clients].sort((a, b) => byName(a.client, b.client))) {
        await this.budget.tick();
        perClient[c.client] = this.render(tab, entry.type, [c.projection]);
      }
      out[tab] = perClient;
    }
    return out;
  }

  /** Merges the matching Tabs of each type into one super-aggregate named `name` (one per type). */
  async superAggregate(name: string, tabPattern: string, clientPattern?: string, now = Date.now()): Promise<Rendered[]> {
    const byType = new Map<string, unknown[]>();
    for (const { type, merged: held } of (await this.tabAggregates(tabPattern, clientPattern, now)).values()) {
      await this.budget.tick();
      const merged = this.projected(type, held, now);
      const list = byType.get(type);
      if (list === undefined) byType.set(type, [merged]);
      else list.push(merged);
    }
    return [...byType].map(([type, projections]) => superAggregate(name, type, projections, this.registry));
  }

  /**
   * One page of the matching Tabs, sorted by name, with their type (and with
   * `clients`, how many clients recorded each: that reads the names of the
   * page's states, never their bytes). Reads the `types` hashes only.
   */
  async listTabs(tabPattern = '.*', page: PageRequest & { clients?: boolean } = {}): Promise<TabListing> {
    const limit = pageSize(page.limit);
    const re = compilePattern(tabPattern);
    const found = new Map<string, { type: string; partition: number }>();
    for (const [p, tabs] of await this.matchingTabs(re, page.cursor)) for (const [tab, type] of tabs) found.set(tab, { type, partition: p });
    const names = [...found.keys()].sort(byName);
    const shown = names.slice(0, limit);
    const clients = page.clients ? await this.clientCounts(shown.map((tab) => ({ tab, partition: found.get(tab)!.partition }))) : null;
    return {
      tabs: shown.map((tab) => ({ tab, type: found.get(tab)!.type, ...(clients ? { clients: clients.get(tab) ?? 0 } : {}) })),
      next: names.length > limit ? shown.at(-1)! : null,
    };
  }

  /** One page of the distinct clients of the matching Tabs, sorted; reads the names of their states, never their bytes. */
  async listClients(tabPattern = '.*', page: PageRequest = {}): Promise<ClientListing> {
    const limit = pageSize(page.limit);
    const tabs: Array<{ tab: string; partition: number }> = [];
    for (const [p, matched] of await this.matchingTabs(compilePattern(tabPattern))) for (const tab of matched.keys()) tabs.push({ tab, partition: p });
    const all = new Set<string>();
    for (const clients of (await this.clientsOf(tabs)).values()) for (const c of clients) if (page.cursor === undefined || c > page.cursor) all.add(c);
    const names = [...all].sort(byName);
    const shown = names.slice(0, limit);
    return { clients: shown, next: names.length > limit ? shown.at(-1)! : null };
  }

  /** How many Tabs of each type the topology holds (from the `types` hashes). */
  async typeCounts(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const tabs of (await this.matchingTabs(compilePattern('.*'))).values()) for (const type of tabs.values()) counts.set(type, (counts.get(type) ?? 0) + 1);
    return counts;
  }

  /**
   * Per partition, the Tabs whose name matches (and sorts after `after`),
   * with their type: a walk of the `types` hashes, names matched a slice at
   * a time (for a plain name, one HGET per partition).
   */
  private async matchingTabs(re: NamePattern, after?: string): Promise<Map<number, Map<string, string>>> {
    const partitions = (await this.store.partitionCount(this.topology)) ?? 0;
    const out = new Map<number, Map<string, string>>();
    if (re.literal !== null) {
      // One name: asked for in each partition's `types`, not found by a walk over every Tab.
      const tab = re.literal;
      const types = after === undefined || tab > after ? await this.store.typeByPartition(this.topology, partitions, tab) : [];
      types.forEach((type, p) => out.set(p, type === null ? new Map() : new Map([[tab, type]])));
      return out;
    }
    // Every partition's walk at once: their HSCAN rounds share round trips (one connection pipelines
    // them), where one partition after the other waited for each page in turn.
    const walks: Array<Promise<void>> = [];
    for (let p = 0; p < partitions; p++) {
      const matched = new Map<string, string>();
      out.set(p, matched);
      walks.push(this.matchIn(p, re, after, matched));
    }
    await Promise.all(walks);
    return out;
  }

  /** Into `matched`, the Tabs of partition p whose name matches (and sorts after `after`), with their type. */
  private async matchIn(p: number, re: NamePattern, after: string | undefined, matched: Map<string, string>): Promise<void> {
    for await (const page of this.store.scanTypes(this.topology, p)) {
      this.budget.countNames(page.length);
      for (const [tab, type] of page) {
        await this.budget.tick();
        if ((after === undefined || tab > after) && re.test(tab)) matched.set(tab, type);
      }
    }
  }

  /**
   * How many clients each of these Tabs has: the stored counts (kept with
   * the Tab records), and for a Tab without one (data no worker rebuilt
   * records for yet) the names of its states.
   */
  private async clientCounts(tabs: ReadonlyArray<{ tab: string; partition: number }>): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const uncounted: Array<{ tab: string; partition: number }> = [];
    for (const [p, wanted] of byPartition(tabs)) {
      const names = [...wanted];
      const counts = await this.store.readClientCounts(this.topology, p, names);
      this.budget.countNames(names.length);
      names.forEach((tab, i) => {
        const count = counts[i];
        if (count === null || count === undefined) uncounted.push({ tab, partition: p });
        else out.set(tab, count);
      });
    }
    for (const [tab, clients] of await this.clientsOf(uncounted)) out.set(tab, clients.size);
    return out;
  }

  /**
   * The clients of each of these Tabs, from the names of their partitions'
   * states (no state bytes): a partition with one of them asks Redis for that
   * Tab's states only (MATCH), one with more walks its states' names once.
   */
  private async clientsOf(tabs: ReadonlyArray<{ tab: string; partition: number }>): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>();
    for (const [p, wanted] of byPartition(tabs)) {
      const only = wanted.size === 1 ? [...wanted][0] : undefined;
      for await (const page of this.store.scanStateNames(this.topology, p, only)) {
        this.budget.countNames(page.length);
        await this.budget.tick();
        for (const { tab, client } of page) {
          if (!wanted.has(tab) || isRecord(client)) continue;
          let clients = out.get(tab);
          if (clients === undefined) out.set(tab, (clients = new Set()));
          clients.add(client);
        }
      }
    }
    return out;
  }

  /** `re.test`, remembered per name: a client recorded on many Tabs is matched once. */
  private memo(re: NamePattern): (name: string) => boolean {
    if (re.matchesAll) return () => true;
    const seen = new Map<string, boolean>();
    return (name) => {
      let hit = seen.get(name);
      if (hit === undefined) {
        hit = re.test(name);
        if (seen.size < CLIENT_MEMO_SIZE) seen.set(name, hit);
      }
      return hit;
    };
  }

  private render(name: string, type: string, projections: unknown[]): RenderedAggregate {
    return aggregateTab(name, type, projections, this.registry) as RenderedAggregate;
  }
}

/** Tab names by the partition that holds them. */
function byPartition(tabs: ReadonlyArray<{ tab: string; partition: number }>): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  for (const { tab, partition } of tabs) {
    const set = out.get(partition);
    if (set === undefined) out.set(partition, new Set([tab]));
    else set.add(tab);
  }
  return out;
}

/** A page size as asked, checked: an integer 1..MAX_PAGE_SIZE (RangeError otherwise). */
export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw new RangeError(`page size must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${limit}`);
  return limit;
}
