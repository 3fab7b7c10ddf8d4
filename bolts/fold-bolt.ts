import type { BoltDefinition } from '../contracts/component';
import type { Bolt, Emit, HeldTuples, Tuple } from '../contracts/bolt';
import { EVENT_FIELDS } from './parse-bolt';
import type { CheckpointDraft } from '../contracts/checkpoint-draft';
import type { TabTaskContext } from './tab-task-context';
import type { HandlerRegistry } from '../tabs/handlers/registry';
import type { LoadedPartition } from '../contracts/partition-checkpoint';
import type { TabEvent } from '../tabs/event';
import type { TabHandler } from '../tabs/handlers/handler';
import type { FoldRun } from '../tabs/handlers/fold-run';
import type { WorkingSet } from '../contracts/working-set';
import { DedupWindow } from './dedup-window';
import { ResidentStates, stateKey } from './resident-states';
import { StaleCollector } from './stale-collector';
import { RecordRebuild } from './record-rebuild';
import { SliceLookups } from './slice-lookups';
import { WorkPace } from './work-pace';
import { PRUNE_MAX_PER_SECOND, prunePerSecond } from './prune-pace';
import { ownedBytes } from './byte-slab';
import { heldEventNames } from './held-event-names';
import { builtState, changing, isResting, newState, noteStored, rest, stateOf, storedRecord, storedState, type TabState } from './tab-state';
import { RECORD_CLIENT, RECORD_DELTA_CLIENT } from '../state/redis-keys';
import { SMALL_RECORD_BYTES, writeRecord } from './record-write';

export type { TabState } from './tab-state';

export const STATE_FIELDS = ['tab', 'client', 'type', 'entry'] as const;
export type StateField = (typeof STATE_FIELDS)[number];

/**
 * Folds events into per-(Tab, client) states, idempotently: a resent event
 * (same id) is dropped by the dedup window, a replayed record never reaches
 * here (the runtime skips offsets at or below the watermark). A Tab's first
 * type wins; a later event of another type is dead-lettered as type-mismatch.
 * Emits each changed state so the sink knows what to write: once per
 * checkpoint interval, at its first change (the tuple carries the live state,
 * so a second emit in the same interval would tell the sink nothing new).
 *
 * A Tab whose type merges states (TabHandler.mergeState: every built-in
 * type) also has a record, the state of client `*`: every event folds into
 * its client's state and into the record, so the record is the merge of the
 * Tab's client states, written in the same checkpoint, and an aggregate
 * reads one record instead of every client's state. A task that takes up a
 * partition whose records do not agree with its states (written before
 * records, or by an older worker since) rebuilds them from the stored states
 * first (RecordRebuild).
 *
 * With a state source (a worker's task), the states it holds are a working
 * set (ResidentStates): what a slice needs is fetched before it is folded
 * (prefetch), a state woken from its bytes for one fold rests again (its
 * bytes only) at the slice's end, and what durable checkpoints covered is
 * frozen or evicted.
 */
class FoldBolt implements Bolt {
  /** A slice's events wait for their states as columns (see Bolt.heldFields): the fold keeps no event after its call. */
  readonly heldFields = EVENT_FIELDS;
  private readonly resident: ResidentStates;
  private readonly types = new Map<string, string>();
  private newTypes: Array<{ tab: string; type: string }> = [];
  private readonly dedup = new DedupWindow();
  private folded = 0;
  /** Counts checkpoints: a state emitted in this interval is not emitted again until the next. */
  private interval = 0;
  /**
   * Tab records emitted in the last intervals, in the order of their last
   * emission (least recent first): those idle with a stored delta are
   * compacted (compactIdleRecords), which reads from the front and stops at
   * the first not idle. (In the order of their first emission, every
   * checkpoint walked past all the busy records: 4.5 % of a task's CPU at
   * 128 messages a checkpoint, `bench:task`.)
   */
  private readonly recentRecords = new Set<TabState>();
  /** When each of the last intervals closed (its checkpoint's `now`), for the intervals closed less than COMPACT_AFTER_IDLE_MS ago: a record last emitted in one of them is not idle yet. */
  private readonly intervalClosedAt = new Map<number, number>();
  private readonly compactPace = new WorkPace(COMPACTIONS_PER_SECOND);
  /** The state the previous event folded into: a batch's events are mostly of one Tab and client. */
  private last: TabState | null = null;
  /** The Tab record the previous event folded into. */
  private lastRecord: TabState | null = null;
  /** Events collected for one state (and its Tab record) and not folded yet: folded at once when the next event does not join them, and at the checkpoint. */
  private run: { fold: FoldRun; entry: TabState; record: TabState | null } | null = null;
  /** One reusable run per handler that has them. */
  private readonly runs = new Map<TabHandler, FoldRun | null>();
  /** Records a rebuild made, for the next checkpoint to write; and its client counts and records to delete. */
  private rebuiltRecords: TabState[] = [];
  private rebuiltCounts: Array<{ tab: string; clients: number }> | null = null;
  private orphanRecords: string[] = [];
  /** States the last prefetch found nothing stored for: new, so an event may create them. */
  private readonly absent = new Set<string>();
  /**
   * Redis held nothing of the partition when it was taken up (a new
   * topology's first owner, say): while no state has been evicted since,
   * every state Redis holds is one this task holds, so one it does not hold
   * is new, without a fetch. (On the latency bench's first pass over its
   * shape, every state's first event waited for Redis to say it had none.)
   */
  private nothingStoredElsewhere = false;
  /** The interval the last checkpoint covered. */
  private draftedInterval = -1;
  /** The `now` of the last checkpoint drafted (its durability is what checkpointed() hears of). */
  private draftedAt = 0;
  private readonly prunePace = new WorkPace(PRUNE_MAX_PER_SECOND);
  /** One freezing lap a second, in thousandths of a lap. */
  private readonly freezePace = new WorkPace(FREEZE_LAP_UNITS);
  /** The task was dropped: nothing it still folds counts in the working set. */
  private closed = false;
  private readonly collector: StaleCollector | undefined;
  /** Client states this slice made, or woke (deserialized) for their first fold since they came out of the arena or from Redis: let rest at its end. */
  private wakened: TabState[] = [];
  /**
   * What the last prefetch found or fetched for its slice, client states and
   * Tab records apart, in the order the slice's runs ask for them (undefined
   * where nothing was stored): the fold takes each from here instead of
   * looking it up again in the task's map, a cache miss in a map of
   * hundreds of thousands of states (~1 us) twice per message at Taba's
   * full shape. Each is pinned for the slice, so it is still in the map.
   */
  private readonly sliceStates = new SliceLookups();
  private readonly sliceRecords = new SliceLookups();

  constructor(
    private readonly ctx: TabTaskContext,
    /** A windowed state with no event for this long is deleted (0: never). */
    private readonly staleAfterMs: number,
  ) {
    // One kind object per type, not one per call: pruning asks for thousands of frozen states a second.
    const kinds = new Map<string, { type: string; handler: TabHandler }>();
    this.resident = new ResidentStates(ctx.workingSet, (tab) => {
      const type = this.types.get(tab);
      if (type === undefined) return undefined;
      let kind = kinds.get(type);
      if (kind === undefined) {
        const handler = ctx.registry.get(type);
        if (handler === undefined) return undefined;
        kinds.set(type, (kind = { type, handler }));
      }
      return kind;
    });
    if (ctx.states !== undefined && staleAfterMs > 0) {
      this.collector = new StaleCollector(ctx.states, ctx.taskIndex, ctx.registry, (h, s, now) => this.isStale(h, s, now), (tab, client) => this.resident.holds(tab, client));
    }
  }

  /**
   * Fetches, in one round, the states the tuples fold into that are not in
   * memory, and the stored types of their Tabs not known here. Without a
   * state source every state is in memory already (and new when missing).
   */
  prefetch(tuples: HeldTuples): Promise<void> | undefined {
    const source = this.ctx.states;
    if (source === undefined) return undefined;
    this.restWakened();
    this.absent.clear();
    this.sliceStates.clear();
    this.sliceRecords.clear();
    const wanted: Array<{ tab: string; client: string; key: string; at: number }> = [];
    const keys = new Set<string>();
    const tabs = new Set<string>();
    const onlyHere = this.nothingStoredElsewhere && !this.resident.everEvicted;
    let lastTab: string | undefined;
    let lastClient: string | undefined;
    const want = (tab: string, client: string): void => {
      const lookups = this.sliceLookups(client);
      // Held (a frozen one is thawed now): pinned until the slice is folded.
      const held = this.resident.find(tab, client);
      if (held !== undefined) {
        held.used = true;
        held.pinnedIn = this.interval;
        lookups.push(held);
        return;
      }
      // To fetch: one key per run, for every lookup of its state after the fetch.
      const key = stateKey(tab, client);
      const at = lookups.push(undefined);
      if (onlyHere) {
        // Not in memory, so not in Redis either: new.
        this.absent.add(key);
        return;
      }
      if (keys.has(key)) return;
      keys.add(key);
      wanted.push({ tab, client, key, at });
      if (!this.types.has(tab)) tabs.add(tab);
    };
    const names = heldEventNames(tuples);
    const tabNames = names.tabs;
    const clientNames = names.clients;
    const typeNames = names.types;
    for (let i = 0; i < tuples.length; i++) {
      const tab = tabNames[i]!;
      const client = clientNames[i]!;
      const type = typeNames[i]!;
      // A slice's events mostly come in runs of one Tab and client: look each run up once.
      if (tab === lastTab && client === lastClient) continue;
      const sameTab = tab === lastTab;
      lastTab = tab;
      lastClient = client;
      want(tab, client);
      if (!sameTab && this.keepsRecord(this.types.get(tab) ?? type)) want(tab, RECORD_CLIENT);
    }
    if (wanted.length === 0) return undefined;
    const tabList = [...tabs];
    // A record's delta comes with its base (record-write.ts): asked after all of them, in the same round.
    let request: ReadonlyArray<{ tab: string; client: string }> = wanted;
    let deltaAt: Int32Array | undefined;
    for (let i = 0; i < wanted.length; i++) {
      if (wanted[i]!.client !== RECORD_CLIENT) continue;
      if (deltaAt === undefined) {
        deltaAt = new Int32Array(wanted.length).fill(-1);
        request = [...wanted];
      }
      deltaAt[i] = request.length;
      (request as Array<{ tab: string; client: string }>).push({ tab: wanted[i]!.tab, client: RECORD_DELTA_CLIENT });
    }
    return source.fetch(this.ctx.taskIndex, request, tabList).then(({ states, types }) => {
      tabList.forEach((tab, i) => {
        const type = types[i];
        if (type !== null && type !== undefined && !this.types.has(tab)) this.types.set(tab, type);
      });
      let fetched = 0;
      wanted.forEach(({ tab, client, key, at }, i) => {
        const bytes = states[i];
        if (this.resident.holds(tab, client)) return;
        const delta = deltaAt === undefined || deltaAt[i]! < 0 ? null : (states[deltaAt[i]!] ?? null);
        const entry = bytes === null || bytes === undefined ? undefined : this.admit(tab, client, bytes, key, delta);
        if (entry === undefined) {
          this.absent.add(key);
          return;
        }
        entry.pinnedIn = this.interval;
        this.sliceLookups(client).set(at, entry);
        fetched++;
      });
      this.ctx.count('states_fetched', fetched);
      this.ctx.workingSet?.noteFetched(fetched);
    });
  }

  /** Puts a stored state into memory; undefined when it cannot be read (its Tab's type is unknown here). */
  private admit(tab: string, client: string, bytes: Uint8Array, key = stateKey(tab, client), delta: Uint8Array | null = null): TabState | undefined {
    const type = this.types.get(tab);
    const handler = type === undefined ? undefined : this.ctx.registry.get(type);
    if (type === undefined || handler === undefined) {
      this.ctx.count('states_unreadable');
      return undefined;
    }
    const entry =
      client === RECORD_CLIENT
        ? storedRecord(tab, client, type, handler, ownedBytes(bytes), delta === null ? null : ownedBytes(delta), this.workingSet(), SMALL_RECORD_BYTES)
        : storedState(tab, client, type, handler, ownedBytes(bytes), this.workingSet());
    this.resident.add(entry);
    this.collector?.touched(key);
    return entry;
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
    const run = this.run;
    if (run !== null && run.entry === entry && run.fold.add(event)) {
      this.folded++;
      return;
    }
    this.foldRun();
    const handler = entry.handler;
    if (isResting(entry) && !entry.restedOnce && this.ctx.states !== undefined) this.wakened.push(entry);
    const state = changing(entry);
    this.emitOnce(entry, emit);
    const record = handler.mergeState === undefined ? null : this.recordOf(entry);
    if (record !== null) this.emitOnce(record, emit);
    const fold = this.runOf(handler);
    if (fold === null) {
      handler.fold(state, event);
      this.folded++;
      if (record !== null) handler.fold(changing(record), event);
      return;
    }
    if (record !== null) changing(record);
    fold.add(event);
    this.folded++;
    this.run = { fold, entry, record };
  }

  /** Folds the events collected so far into their state and its Tab record. */
  private foldRun(): void {
    const run = this.run;
    if (run === null) return;
    this.run = null;
    run.fold.foldInto(run.entry.state);
    if (run.record !== null) run.fold.foldInto(run.record.state);
    run.fold.clear();
  }

  /**
   * The end of a slice (the next one's prefetch, or a checkpoint): the
   * client states it made, or woke for their first fold since they came out
   * of the arena or from Redis, let go of their objects, their bytes
   * serialized now (the checkpoint writes these bytes as they are). At
   * Taba's full shape most states get one event between their thaw and
   * the freezing hand's next lap, and each held its objects for seconds,
   * long enough to be promoted out of the young generation for full
   * collections to trace; now they die young. A state woken again while it
   * rests is in use: it stays thawed, as before, until the hand finds it
   * idle (resting every state after every slice cost a deserialization per
   * event and lost ~10 % end to end).
   */
  private restWakened(): void {
    this.foldRun();
    for (const entry of this.wakened) {
      if (entry.pruned) continue;
      rest(entry);
      entry.restedOnce = true;
    }
    this.wakened = [];
  }

  /** Where the slice's prefetch put the states of this client: Tab records apart from client states. */
  private sliceLookups(client: string): SliceLookups {
    return client === RECORD_CLIENT ? this.sliceRecords : this.sliceStates;
  }

  private runOf(handler: TabHandler): FoldRun | null {
    let run = this.runs.get(handler);
    if (run === undefined) this.runs.set(handler, (run = handler.newRun?.() ?? null));
    return run;
  }

  /** Tells the sink a state changed: once per checkpoint interval (the tuple carries the live state). */
  private emitOnce(entry: TabState, emit: Emit): void {
    if (entry.emittedIn !== this.interval) {
      entry.emittedIn = this.interval;
      if (entry.client === RECORD_CLIENT) {
        // To the back: emitted now.
        this.recentRecords.delete(entry);
        this.recentRecords.add(entry);
      }
      emit({ tab: entry.tab, client: entry.client, type: entry.type, entry });
    }
  }

  private keepsRecord(type: string | undefined): boolean {
    return type !== undefined && this.ctx.registry.get(type)?.mergeState !== undefined;
  }

  /** The record of a client state's Tab (made when new). */
  private recordOf(client: TabState): TabState {
    const last = this.lastRecord;
    if (last !== null && last.tab === client.tab) {
      last.used = true;
      return last;
    }
    const record = this.held(client.tab, RECORD_CLIENT, client.type, client.handler);
    this.lastRecord = record;
    this.resident.lastRecord = record;
    return record;
  }

  /**
   * The state of (tab, client) in memory, or a new one when nothing is
   * stored for it: with a state source, only where the prefetch found
   * nothing stored (anything else is a bug: its fold would overwrite it).
   */
  private held(tab: string, client: string, type: string, handler: TabHandler): TabState {
    const taken = this.sliceLookups(client).take(tab, client, this.interval);
    if (taken !== undefined) {
      taken.used = true;
      return taken;
    }
    const key = stateKey(tab, client);
    // Found absent by the slice's prefetch: not in memory then, nor since (the state made
    // here leaves `absent`), so new, with no lookup (most states of a fresh topic).
    if (!(this.ctx.states !== undefined && this.absent.delete(key))) {
      const found = this.resident.find(tab, client);
      if (found !== undefined) {
        found.used = true;
        return found;
      }
      if (this.ctx.states !== undefined) throw new Error(`the state of tab '${tab}', client '${client}' was not fetched before its fold`);
    }
    const made = newState(tab, client, type, handler, this.workingSet());
    // Nothing stored for it: no delta either (one goes with its base).
    if (client === RECORD_CLIENT) made.storedDelta = false;
    this.resident.add(made);
    this.collector?.touched(key);
    // A new client state rests after the slice that made it, as one woken from storage does (see restWakened).
    if (client !== RECORD_CLIENT && this.ctx.states !== undefined) this.wakened.push(made);
    return made;
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
    const entry = this.held(event.tab, event.client, event.type, handler);
    this.last = entry;
    this.resident.last = entry;
    return entry;
  }

  private workingSet(): WorkingSet | undefined {
    return this.closed ? undefined : this.ctx.workingSet;
  }

  close(): void {
    this.closed = true;
    this.run = null;
    this.wakened = [];
    this.sliceStates.clear();
    this.sliceRecords.clear();
    this.collector?.close();
    this.resident.close();
    this.last = null;
    this.lastRecord = null;
  }

  restore(loaded: LoadedPartition): Promise<void> | undefined {
    this.nothingStoredElsewhere = loaded.nothingStored === true;
    for (const [tab, type] of loaded.types) this.types.set(tab, type);
    // A worker's take-over loads no states (they are fetched on demand); a task without a state source gets them all here.
    const deltas = new Map<string, Uint8Array>();
    for (const s of loaded.states) if (s.client === RECORD_DELTA_CLIENT) deltas.set(s.tab, s.bytes);
    for (const s of loaded.states) {
      if (s.client === RECORD_DELTA_CLIENT) continue; // merged into its record
      this.admit(s.tab, s.client, s.bytes, undefined, s.client === RECORD_CLIENT ? (deltas.get(s.tab) ?? null) : null);
    }
    for (const [bucket, ids] of loaded.dedup) this.dedup.load(bucket, ids);
    if (loaded.recordsCurrent) return undefined;
    const rebuild = new RecordRebuild(this.ctx.registry);
    if (this.ctx.states === undefined) {
      for (const s of loaded.states) rebuild.add(s.tab, s.client, loaded.types.get(s.tab), s.bytes);
      this.keepRebuilt(rebuild);
      return undefined;
    }
    return this.walkStored(rebuild).then(() => this.keepRebuilt(rebuild));
  }

  /** Every stored state of the partition into the rebuild, a page at a time. */
  private async walkStored(rebuild: RecordRebuild): Promise<void> {
    const source = this.ctx.states!;
    let cursor = '0';
    do {
      const page = await source.scan(this.ctx.taskIndex, cursor, REBUILD_PAGE);
      cursor = page.cursor;
      for (const s of page.states) rebuild.add(s.tab, s.client, s.type, s.bytes);
    } while (cursor !== '0');
  }

  /** The rebuilt records go in memory (in place of any held) and, with the counts, into the next checkpoint. */
  private keepRebuilt(rebuild: RecordRebuild): void {
    for (const r of rebuild.rebuilt()) {
      const entry = builtState(r.tab, RECORD_CLIENT, r.type, r.handler, r.state, this.workingSet());
      // Written by the next checkpoint (here, not by the sink: no event may come before it).
      entry.emittedIn = this.interval;
      this.resident.add(entry);
      this.rebuiltRecords.push(entry);
    }
    this.rebuiltCounts = rebuild.clientCounts();
    this.orphanRecords = rebuild.orphanRecords();
    this.ctx.count('tab_records_rebuilt', this.rebuiltRecords.length);
  }

  checkpoint(draft: CheckpointDraft, now: number): void {
    // Before the sink's checkpoint (bolts checkpoint in topological order) serializes the states.
    this.restWakened();
    this.compactIdleRecords(draft, now);
    draft.types.push(...this.newTypes);
    this.newTypes = [];
    if (this.rebuiltCounts !== null) {
      for (const entry of this.rebuiltRecords) {
        if (entry.pruned) continue;
        // Whole, and any delta Redis holds beside the old base deleted.
        writeRecord(entry, draft);
      }
      for (const tab of this.orphanRecords) deleteState(draft, tab, RECORD_CLIENT);
      draft.clientCounts = this.rebuiltCounts;
      this.rebuiltRecords = [];
      this.rebuiltCounts = null;
      this.orphanRecords = [];
    }
    for (const [bucket, ids] of this.dedup.takeAdded()) draft.dedupAdded.set(bucket, ids);
    draft.dedupExpireBefore = this.dedup.expireBefore();
    draft.eventsDelta += this.folded;
    this.folded = 0;
    this.draftedInterval = this.interval;
    this.intervalClosedAt.set(this.interval, now);
    this.interval++;
    this.resident.openInterval = this.interval;
    this.last = null;
    this.resident.last = null;
    this.lastRecord = null;
    this.resident.lastRecord = null;
    const collected = this.collector?.take(now) ?? [];
    for (const { tab, client } of collected) deleteState(draft, tab, client);
    if (collected.length > 0) this.ctx.count('states_collected', collected.length);
    this.draftedAt = now;
    this.resident.prune(
      this.prunePace.take(now, prunePerSecond(this.resident.size)),
      (handler, state) => handler.shouldPrune(state, now) || this.isStale(handler, state, now),
      (tab, client, entry) => {
        if (entry !== undefined) entry.pruned = true;
        deleteState(draft, tab, client);
      },
      (handler, bytes) => handler.prunesStored?.(bytes, now, this.staleAfterMs),
    );
    this.gauges();
    this.ctx.gauge('dedup_window_ids', this.dedup.size);
    this.ctx.gauge('dedup_window_evicted_ids', this.dedup.evictions);
    this.ctx.gauge('dedup_window_unchecked_ids', this.dedup.unchecked);
  }

  /**
   * Records whose last write was a delta and that no event has touched for
   * COMPACT_AFTER_IDLE_MS (and a whole interval): written whole now, at
   * COMPACTIONS_PER_SECOND at most, their deltas deleted. A query then reads
   * them as one field again (a record with a delta is read and merged whole,
   * where a lone base is rendered from its bytes), and the hand may freeze
   * them (it leaves a record with a stored delta thawed: its base and delta
   * are not one set of bytes the arena could hold). Idleness and the pace go
   * by the clock, not by intervals: at 100 ms a record idle for one interval
   * was compacted (at Taba's shape nearly every record after each batch),
   * each a base read back, merged and encoded, up to 256 in one checkpoint
   * of each partition, and its next event put it back in delta mode.
   */
  private compactIdleRecords(draft: CheckpointDraft, now: number): void {
    for (const [interval, closedAt] of this.intervalClosedAt) {
      if (closedAt > now - COMPACT_AFTER_IDLE_MS) break;
      this.intervalClosedAt.delete(interval);
    }
    let budget = this.compactPace.take(now);
    let compacted = 0;
    for (const entry of this.recentRecords) {
      // Emitted in an interval that closed less than COMPACT_AFTER_IDLE_MS ago (or in the open one, or the last):
      // so was every record after it (intervalClosedAt holds the last intervals, and the set is in emission order).
      if (entry.emittedIn >= this.interval - 1 || this.intervalClosedAt.has(entry.emittedIn)) break;
      if (entry.pruned || entry.storedDelta !== true || entry.base === undefined) {
        this.recentRecords.delete(entry);
        continue;
      }
      if (budget === 0) break;
      writeRecord(entry, draft, true);
      this.recentRecords.delete(entry);
      budget--;
      compacted++;
    }
    if (compacted > 0) this.ctx.count('tab_records_compacted', compacted);
  }

  /** The last checkpoint is in Redis: what it covered may be frozen, and evicted while the process is over budget. */
  checkpointed(): void {
    this.resident.durableInterval = this.draftedInterval;
    const workingSet = this.workingSet();
    if (workingSet === undefined) return;
    // One lap a second at most: at a short flush interval a lap per checkpoint froze states
    // (and Tab records) used a moment ago, and the next event thawed them again. The lap is
    // spread over the second's checkpoints (a tenth of the states thawed at each, at 100 ms):
    // whole, once a second, it held the worker's loop up to 83 ms at a time (profiled at 100 ms,
    // half load).
    const laps = this.freezePace.take(this.draftedAt);
    if (laps > 0) this.resident.freezeLap(laps / FREEZE_LAP_UNITS);
    workingSet.reclaim();
    this.gauges();
  }

  private gauges(): void {
    this.ctx.gauge('states', this.resident.size);
    const evicted = this.resident.takeEvicted();
    if (evicted > 0) {
      this.ctx.count('states_evicted', evicted);
      this.ctx.workingSet?.noteEvicted(evicted);
    }
    if (this.ctx.workingSet !== undefined) this.ctx.gauge('working_set_bytes', this.ctx.workingSet.bytes);
  }

  private isStale(handler: TabHandler, state: unknown, now: number): boolean {
    return this.staleAfterMs > 0 && handler.isStale !== undefined && handler.isStale(state, now, this.staleAfterMs);
  }
}

/** Idle records written whole a second, at most (compactIdleRecords): each is read back, merged and encoded. */
const COMPACTIONS_PER_SECOND = 256;
/**
 * A record no event touched for this long is idle (compactIdleRecords).
 * At Taba's full shape a Tab gets a batch every second or two: idle after
 * one second, most records were written whole after nearly every batch
 * (a delta, then the base read back, merged and encoded), and the next
 * batch put them back in delta mode. The hand freezes a record only after
 * five idle laps (resident-states.ts, RECORD_IDLE_LAPS), about five
 * seconds: compacted after four, an idle record is whole when it may be frozen.
 */
export const COMPACT_AFTER_IDLE_MS = 4000;

/** Deletes a stored state; a Tab record's delta goes with its base. */
function deleteState(draft: CheckpointDraft, tab: string, client: string): void {
  draft.deleted.push({ tab, client });
  if (client === RECORD_CLIENT) draft.deleted.push({ tab, client: RECORD_DELTA_CLIENT });
}

/** Stored states read per round when rebuilding Tab records. */
const REBUILD_PAGE = 2_000;
/** The freezing hand's pace is counted in thousandths of a lap: a lap a second is 1,000 a second. */
const FREEZE_LAP_UNITS = 1_000;
/** Taba's default: a Tab with no event for 2 days is collected. */
export const DEFAULT_STALE_TAB_AFTER_MS = 2 * 24 * 60 * 60 * 1000;

export interface FoldBoltOptions {
  /** Delete a windowed state with no event for this long, its windows all empty (Taba's GC); 0 keeps them. Default 2 days. */
  staleTabAfterMs?: number;
}

export function foldBolt(options: FoldBoltOptions = {}): BoltDefinition<HandlerRegistry, StateField> {
  const staleAfterMs = options.staleTabAfterMs ?? DEFAULT_STALE_TAB_AFTER_MS;
  if (!(Number.isSafeInteger(staleAfterMs) && staleAfterMs >= 0)) {
    throw new TypeError(`staleTabAfterMs must be a non-negative integer of milliseconds, got ${String(options.staleTabAfterMs)}`);
  }
  return { kind: 'bolt', type: 'fold', outputFields: STATE_FIELDS, create: (ctx) => new FoldBolt(ctx, staleAfterMs) };
}
