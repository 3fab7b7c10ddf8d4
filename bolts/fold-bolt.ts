import type { BoltDefinition } from '../topology/dsl';
import type { Bolt, Emit, Tuple } from '../topology/runtime/bolt';
import type { CheckpointDraft } from '../topology/runtime/checkpoint-draft';
import type { TaskContext } from '../topology/runtime/task-context';
import type { LoadedPartition } from '../state/redis-state-store';
import type { TabEvent } from './event';
import type { TabHandler } from './handlers/handler';
import type { Evictor, WorkingSet } from '../topology/runtime/working-set';
import { DedupWindow } from './dedup-window';
import { MapCursor } from './map-cursor';
import { freeze, newState, peek, release, storedState, thawForFold, type TabState } from './tab-state';

export type { TabState } from './tab-state';

export const STATE_FIELDS = ['tab', 'client', 'type', 'entry'] as const;

const stateKey = (tab: string, client: string): string => `${tab}\u0000${client}`;

/**
 * Folds events into per-(Tab, client) states, idempotently: a resent event
 * (same id) is dropped by the dedup window, a replayed record never reaches
 * here (the runtime skips offsets at or below the watermark). A Tab's first
 * type wins; a later event of another type is dead-lettered as type-mismatch.
 * Emits each changed state so the sink knows what to write: once per
 * checkpoint interval, at its first change (the tuple carries the live state,
 * so a second emit in the same interval would tell the sink nothing new).
 */
class FoldBolt implements Bolt, Evictor {
  private readonly states = new Map<string, TabState>();
  private readonly types = new Map<string, string>();
  private newTypes: Array<{ tab: string; type: string }> = [];
  private readonly dedup = new DedupWindow();
  private folded = 0;
  /** Where the incremental prune scan stopped; it resumes there at the next checkpoint. */
  private readonly pruneCursor = new MapCursor(this.states);
  /** Counts checkpoints: a state emitted in this interval is not emitted again until the next. */
  private interval = 0;
  /** The state the previous event folded into: a batch's events are mostly of one Tab and client. */
  private last: TabState | null = null;
  /** States the last prefetch found nothing stored for: new, so an event may create them. */
  private readonly absent = new Set<string>();
  /** The interval the last checkpoint covered, and the last one known durable in Redis. */
  private draftedInterval = -1;
  private durableInterval = -1;
  /** Where the eviction hand stopped; it goes on from there. */
  private readonly hand = new MapCursor(this.states);
  /** The task was dropped: nothing it still folds counts in the working set. */
  private closed = false;
  /** Taba's GC of states not in memory: where the walk over Redis stands, and when the next lap starts. */
  private gcCursor = '0';
  private gcScanning = false;
  private gcNextLapAt = 0;
  /** Stale states found in Redis, deleted at the next checkpoint unless fetched or made meanwhile. */
  private readonly collectable = new Map<string, { tab: string; client: string }>();

  /** Leaves the working set's holders when the task is dropped. */
  private readonly unregister: () => void;

  constructor(
    private readonly ctx: TaskContext,
    /** A windowed state with no event for this long is deleted (0: never). */
    private readonly staleAfterMs: number,
  ) {
    this.unregister = ctx.workingSet?.register(this) ?? (() => {});
  }

  /**
   * Fetches, in one round, the states the tuples fold into that are not in
   * memory, and the stored types of their Tabs not known here. Without a
   * state source every state is in memory already (and new when missing).
   */
  prefetch(tuples: readonly Tuple[]): Promise<void> | undefined {
    const source = this.ctx.states;
    if (source === undefined) return undefined;
    this.absent.clear();
    const wanted: Array<{ tab: string; client: string }> = [];
    const keys = new Set<string>();
    const tabs = new Set<string>();
    let lastTab: string | undefined;
    let lastClient: string | undefined;
    for (const tuple of tuples) {
      const { tab, client } = tuple as unknown as TabEvent;
      // A slice's events mostly come in runs of one Tab and client: look each run up once.
      if (tab === lastTab && client === lastClient) continue;
      lastTab = tab;
      lastClient = client;
      const key = stateKey(tab, client);
      const held = this.states.get(key);
      if (held !== undefined) {
        held.used = true;
        held.pinnedIn = this.interval;
        continue;
      }
      if (keys.has(key)) continue;
      keys.add(key);
      wanted.push({ tab, client });
      if (!this.types.has(tab)) tabs.add(tab);
    }
    if (wanted.length === 0) return undefined;
    const tabList = [...tabs];
    return source.fetch(this.ctx.taskIndex, wanted, tabList).then(({ states, types }) => {
      tabList.forEach((tab, i) => {
        const type = types[i];
        if (type !== null && type !== undefined && !this.types.has(tab)) this.types.set(tab, type);
      });
      let fetched = 0;
      wanted.forEach(({ tab, client }, i) => {
        const key = stateKey(tab, client);
        const bytes = states[i];
        if (this.states.has(key)) return;
        if (bytes === null || bytes === undefined) {
          this.absent.add(key);
          return;
        }
        if (this.admit(tab, client, bytes)) {
          this.states.get(key)!.pinnedIn = this.interval;
          fetched++;
        } else {
          this.absent.add(key);
        }
      });
      this.ctx.count('states_fetched', fetched);
      this.ctx.workingSet?.noteFetched(fetched);
    });
  }

  /** Puts a stored state into memory; false when it cannot be read (its Tab's type is unknown here). */
  private admit(tab: string, client: string, bytes: Uint8Array): boolean {
    const type = this.types.get(tab);
    const handler = type === undefined ? undefined : this.ctx.registry.get(type);
    if (type === undefined || handler === undefined) {
      this.ctx.count('states_unreadable');
      return false;
    }
    this.collectable.delete(stateKey(tab, client));
    this.states.set(stateKey(tab, client), storedState(tab, client, type, handler, bytes, this.workingSet()));
    return true;
  }

  execute(tuple: Tuple, emit: Emit): void {
    const event = tuple as unknown as TabEvent;
    const last = this.last;
    // Same Tab, client and type as the state before: its type is established and agrees.
    const entry = last !== null && last.tab === event.tab && last.client === event.client && last.type === event.type ? last : this.entryFor(event, tuple);
    if (entry === undefined) return;
    if (event.id !== undefined && this.dedup.seen(event.id, event.time)) {
      this.ctx.count('events_resent_dropped');
      return;
    }
    entry.handler.fold(thawForFold(entry), event);
    this.folded++;
    if (entry.emittedIn !== this.interval) {
      entry.emittedIn = this.interval;
      emit({ tab: entry.tab, client: entry.client, type: entry.type, entry });
    }
  }

  /** The state an event folds into (made when new), or undefined after dead-lettering the event. */
  private entryFor(event: TabEvent, tuple: Tuple): TabState | undefined {
    const known = this.types.get(event.tab);
    if (known !== undefined && known !== event.type) {
      this.ctx.deadLetter('type-mismatch', `tab '${event.tab}' is a ${known}, not a ${event.type}`, tuple);
      return;
    }
    const handler = this.ctx.registry.get(event.type);
    if (handler === undefined) {
      this.ctx.deadLetter('type-unknown', `no handler for type '${event.type}'`, tuple);
      return;
    }
    if (known === undefined) {
      this.types.set(event.tab, event.type);
      this.newTypes.push({ tab: event.tab, type: event.type });
    }
    const key = stateKey(event.tab, event.client);
    let entry = this.states.get(key);
    if (entry === undefined) {
      // A bug guard: with a state source, only a state the prefetch found nothing stored for is new.
      if (this.ctx.states !== undefined && !this.absent.delete(key)) {
        throw new Error(`the state of tab '${event.tab}', client '${event.client}' was not fetched before its fold`);
      }
      entry = newState(event.tab, event.client, event.type, handler, this.workingSet());
      this.states.set(key, entry);
      this.collectable.delete(key);
    } else {
      entry.used = true;
    }
    this.last = entry;
    return entry;
  }

  private workingSet(): WorkingSet | undefined {
    return this.closed ? undefined : this.ctx.workingSet;
  }

  close(): void {
    this.closed = true;
    this.unregister();
    for (const entry of this.states.values()) release(entry);
    this.states.clear();
    this.hand.reset();
    this.pruneCursor.reset();
    this.last = null;
  }

  restore(loaded: LoadedPartition): void {
    for (const [tab, type] of loaded.types) this.types.set(tab, type);
    // A worker's take-over loads no states (they are fetched on demand); a task without a state source gets them all here.
    for (const s of loaded.states) this.admit(s.tab, s.client, s.bytes);
    for (const [bucket, ids] of loaded.dedup) this.dedup.load(bucket, ids);
  }

  checkpoint(draft: CheckpointDraft, now: number): void {
    draft.types.push(...this.newTypes);
    this.newTypes = [];
    for (const [bucket, ids] of this.dedup.takeAdded()) draft.dedupAdded.set(bucket, ids);
    draft.dedupExpireBefore = this.dedup.expireBefore();
    draft.eventsDelta += this.folded;
    this.folded = 0;
    this.draftedInterval = this.interval;
    this.interval++;
    this.last = null;
    this.collect(draft);
    this.prune(draft, now);
    this.scanForStale(now);
    this.ctx.gauge('states', this.states.size);
    if (this.ctx.workingSet !== undefined) this.ctx.gauge('working_set_bytes', this.ctx.workingSet.bytes);
    this.ctx.gauge('dedup_window_ids', this.dedup.size);
    this.ctx.gauge('dedup_window_evicted_ids', this.dedup.evictions);
    this.ctx.gauge('dedup_window_unchecked_ids', this.dedup.unchecked);
  }

  /**
   * The last checkpoint is in Redis: every state it covered may be frozen
   * (only its stored bytes kept) or leave memory. A clock hand passes over
   * the states: one used since it last passed gets a second chance, one
   * changed since the durable checkpoint stays as it is; any other is frozen
   * (a step of the hand each checkpoint, so the collector has few objects to
   * trace), and while the process is over its budget the hand goes on,
   * freezing and then evicting frozen states (the next event for one fetches
   * it back), until the process is under its low mark or two laps are done.
   */
  checkpointed(): void {
    this.durableInterval = this.draftedInterval;
    const workingSet = this.workingSet();
    if (workingSet === undefined) return;
    this.turnHand(Math.min(this.states.size, FREEZE_STEP), 0);
    workingSet.reclaim();
    this.ctx.gauge('states', this.states.size);
    this.ctx.gauge('working_set_bytes', workingSet.bytes);
  }

  /** The working set is over budget: freeze, then evict, states a durable checkpoint covers. */
  evict(bytes: number): number {
    const freed = this.turnHand(0, bytes);
    this.ctx.gauge('states', this.states.size);
    return freed;
  }

  /**
   * Moves the clock hand at least `steps` states on, and further (two laps at
   * most) until `bytes` are freed. A state used since the hand last passed
   * gets a second chance; one changed since the durable checkpoint, or asked
   * for by a slice not folded yet, stays; any other is frozen, or evicted when
   * it is frozen already and memory must be freed. Returns the bytes freed.
   */
  private turnHand(steps: number, bytes: number): number {
    let freed = 0;
    let evicted = 0;
    for (let passed = 0, laps = 2 * this.states.size; passed < laps && (passed < steps || freed < bytes); passed++) {
      const next = this.hand.next();
      if (next === undefined) continue;
      const [key, entry] = next;
      if (entry.used) {
        entry.used = false;
        continue;
      }
      if (entry.emittedIn > this.durableInterval || entry === this.last) continue;
      if (entry.state !== undefined) {
        freed += freeze(entry);
      } else if (freed < bytes && entry.pinnedIn !== this.interval) {
        this.states.delete(key);
        freed += entry.heapBytes;
        release(entry);
        evicted++;
      }
    }
    if (evicted > 0) {
      this.ctx.workingSet?.noteEvicted(evicted);
      this.ctx.count('states_evicted', evicted);
    }
    return freed;
  }

  private isStale(handler: TabHandler, state: unknown, now: number): boolean {
    return this.staleAfterMs > 0 && handler.isStale !== undefined && handler.isStale(state, now, this.staleAfterMs);
  }

  /** Deletes the stale states the walk over Redis found that nothing fetched or made since. */
  private collect(draft: CheckpointDraft): void {
    if (this.collectable.size === 0) return;
    let collected = 0;
    for (const [key, s] of this.collectable) {
      if (this.states.has(key)) continue;
      draft.deleted.push(s);
      collected++;
    }
    this.collectable.clear();
    this.ctx.count('states_collected', collected);
  }

  /**
   * Taba's GC for the states that are not in memory: one page of a walk over
   * the partition's states in Redis per checkpoint, a lap at a time. A state
   * not in memory when its page arrives is as Redis holds it (only states a
   * durable checkpoint wrote leave memory, and the page answers before any
   * later write of this task); it is deleted at the next checkpoint unless a
   * fold fetched or made it meanwhile. States in memory are judged by prune.
   */
  private scanForStale(now: number): void {
    const source = this.ctx.states;
    if (source === undefined || this.staleAfterMs === 0 || this.gcScanning || this.closed) return;
    if (this.gcCursor === '0' && now < this.gcNextLapAt) return;
    this.gcScanning = true;
    source
      .scan(this.ctx.taskIndex, this.gcCursor, GC_PAGE)
      .then(({ cursor, states }) => {
        if (this.closed) return;
        this.gcCursor = cursor;
        if (cursor === '0') this.gcNextLapAt = Date.now() + GC_LAP_PAUSE_MS;
        for (const s of states) {
          const key = stateKey(s.tab, s.client);
          if (this.states.has(key) || s.type === null) continue;
          const handler = this.ctx.registry.get(s.type);
          if (handler?.isStale === undefined) continue;
          let state: unknown;
          try {
            state = handler.deserialize(s.bytes);
          } catch {
            continue; // unreadable here (a newer format): not this worker's to judge
          }
          if (this.isStale(handler, state, now)) this.collectable.set(key, { tab: s.tab, client: s.client });
        }
      })
      // Redis away: the walk goes on from the same page at a later checkpoint.
      .catch(() => {})
      .finally(() => {
        this.gcScanning = false;
      });
  }

  /**
   * Drops states their handler says hold nothing worth keeping (an expired
   * gauge or buffer), a slice per checkpoint so a large task never stalls.
   */
  private prune(draft: CheckpointDraft, now: number): void {
    for (let examined = 0; examined < PRUNE_SLICE; examined++) {
      const next = this.pruneCursor.next();
      if (next === undefined) return;
      const [key, entry] = next;
      const state = peek(entry);
      if (!entry.handler.shouldPrune(state, now) && !this.isStale(entry.handler, state, now)) continue;
      this.states.delete(key);
      release(entry);
      entry.pruned = true;
      draft.deleted.push({ tab: entry.tab, client: entry.client });
    }
  }
}

/** States the working set's hand passes per checkpoint at least (freezing the unused ones). */
const FREEZE_STEP = 1_000;
/** States examined for pruning per checkpoint. */
const PRUNE_SLICE = 5_000;
/** States of Redis examined for staleness per checkpoint, and the pause between two laps over all of them. */
const GC_PAGE = 500;
const GC_LAP_PAUSE_MS = 60_000;
/** Taba's default: a Tab with no event for 2 days is collected. */
export const DEFAULT_STALE_TAB_AFTER_MS = 2 * 24 * 60 * 60 * 1000;

export interface FoldBoltOptions {
  /** Delete a windowed state with no event for this long, its windows all empty (Taba's GC); 0 keeps them. Default 2 days. */
  staleTabAfterMs?: number;
}

export function foldBolt(options: FoldBoltOptions = {}): BoltDefinition {
  const staleAfterMs = options.staleTabAfterMs ?? DEFAULT_STALE_TAB_AFTER_MS;
  if (!(Number.isSafeInteger(staleAfterMs) && staleAfterMs >= 0)) {
    throw new TypeError(`staleTabAfterMs must be a non-negative integer of milliseconds, got ${String(options.staleTabAfterMs)}`);
  }
  return { kind: 'bolt', type: 'fold', outputFields: STATE_FIELDS, create: (ctx) => new FoldBolt(ctx, staleAfterMs) };
}
