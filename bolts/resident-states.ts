// The states one fold task holds in memory: its share of the process's
// working set (DESIGN.md, "Stateless workers"). Thawed states (the handlers'
// objects) and resting ones (an entry keeping only the bytes, see
// tab-state.ts: a state taken out of the arena or fetched rests until its
// first fold) sit in a Map; frozen ones (only the bytes Redis holds for them)
// are packed in a FrozenArena, with no object per state. A clock hand passes
// over the thawed states after a durable checkpoint, once a second at most
// (the fold bolt paces it): one used since it last passed gets a second
// chance, one changed since that checkpoint (or asked for by a slice not
// folded yet) stays, any other is frozen. When the process is over its budget, frozen states are
// evicted too: the next event for one fetches it back from Redis.
import type { TabHandler } from '../tabs/handlers/handler';
import { HeldStatesRows, type Evictor, type HeldStates, type WorkingSet } from '../contracts/working-set';
import { FrozenArena } from './frozen-arena';
import { SetCursor } from './set-cursor';
import { frozenBytes, isResting, release, storedState, type TabState } from './tab-state';
import { isRecord } from '../state/redis-keys';

/** The key of a (Tab, client) state: Tabs and clients never contain NUL. */
export const stateKey = (tab: string, client: string): string => `${tab}\u0000${client}`;

/** A frozen record's bytes beside its value (its numbered Tab and client and length, and its share of the table). */
const FROZEN_RECORD_OVERHEAD = 4 + 8;

/**
 * Laps of the hand a Tab record stays thawed unused (a client state: one).
 * Every event of a Tab folds into its record, so a record is used about as
 * often as its Tab gets a batch, about once a second at Taba's full shape:
 * frozen after a single idle lap, records were thawed again and again
 * (`npm run bench:task`: 3,674 record thaws out of the arena, none with five
 * laps), and a unique Tab's record (its dense sketches, ~100 KB thawed)
 * takes ~270-340 us to thaw (bench/record-heap.ts). Records are one state per Tab, so
 * keeping them a few seconds longer costs little of the working set.
 */
const RECORD_IDLE_LAPS = 5;

/** What a Tab is, to thaw its frozen states: its type and handler, undefined when unknown here. */
export type TabTypeOf = (tab: string) => { type: string; handler: TabHandler } | undefined;

export class ResidentStates implements Evictor {
  /**
   * The thawed states, for the hand's and the pruning's walks: a set of the
   * entries themselves, so holding or dropping one makes no key. (A map by
   * key `tab\0client` made the key anew and hashed it at every thaw, and
   * kept a key string per state.)
   */
  private readonly thawed = new Set<TabState>();
  /**
   * The same states by Tab, then client: find's lookup by the names as they
   * are. A lookup by key made the key (`tab\0client`) anew and hashed it,
   * ~0.6 µs against ~0.1-0.3 here (a micro-benchmark of 30,000 states).
   */
  private readonly byTab = new Map<string, Map<string, TabState>>();
  private readonly frozen = new FrozenArena();
  private readonly hand = new SetCursor(this.thawed);
  private readonly pruneCursor = new SetCursor(this.thawed);
  /** The arena's bytes as last counted in the working set. */
  private frozenCounted = 0;
  private unregister: () => void;
  /** States evicted since the owner last asked (takeEvicted). */
  private evicted = 0;
  /** Whether any state was ever evicted (let go from memory while Redis holds it). */
  everEvicted = false;

  /** The owner's intervals: states changed after `durable`, or pinned in `open`, stay thawed and in memory. */
  durableInterval = -1;
  openInterval = 0;
  /** The state and Tab record the owner folded last (it may fold into them again without a lookup): never frozen. */
  last: TabState | null = null;
  lastRecord: TabState | null = null;

  constructor(
    private workingSet: WorkingSet | undefined,
    private readonly typeOf: TabTypeOf,
  ) {
    this.unregister = workingSet?.register(this) ?? (() => {});
  }

  get size(): number {
    return this.thawed.size + this.frozen.size;
  }

  /** Whether it holds the state of (tab, client), thawed, resting or frozen. */
  holds(tab: string, client: string): boolean {
    return this.byTab.get(tab)?.has(client) === true || this.frozen.holds(tab, client);
  }

  /**
   * The state, thawed (a frozen one is thawed now); undefined when not in
   * memory, or its Tab's type is unknown. A frozen state is taken out of the
   * arena in one lookup, by the names as they are (no key to split).
   */
  find(tab: string, client: string): TabState | undefined {
    const held = this.byTab.get(tab)?.get(client);
    if (held !== undefined) return held;
    const bytes = this.frozen.take(tab, client);
    if (bytes === undefined) return undefined;
    const kind = this.typeOf(tab);
    if (kind === undefined) {
      // Not thawed after all: frozen again (its Tab's type is not known here).
      this.frozen.put(tab, client, bytes);
      this.syncFrozen();
      return undefined;
    }
    const entry = storedState(tab, client, kind.type, kind.handler, bytes, this.workingSet);
    this.hold(entry);
    this.syncFrozen();
    return entry;
  }

  /** Holds `entry` thawed (in the place of any held for its Tab and client). */
  add(entry: TabState): void {
    this.hold(entry);
  }

  /** States evicted since the last call. */
  takeEvicted(): number {
    const n = this.evicted;
    this.evicted = 0;
    return n;
  }

  /**
   * Moves the hand once round the thawed states (`share` of the way round:
   * a lap spread over the checkpoints of a second), freezing what may be
   * frozen: after a durable checkpoint, a lap a second at most, so only states used since the hand
   * last passed stay objects and the collector has few of them to trace (a
   * fixed step of 1,000 per checkpoint fell behind a worker fetching 8,000
   * states a second: its heap filled with thawed states until the budget
   * evicted them, and full collections traced them all).
   */
  freezeLap(share = 1): void {
    // Every state once, and the lap's end (a step of its own, see MapCursor); a share of
    // that when the lap is spread over several checkpoints.
    this.turnHand(Math.ceil((this.thawed.size + 1) * share), 0);
  }

  /**
   * The working set is over budget: freeze, then evict frozen states, until
   * about `bytes` are freed; then the arena gives back the room they took.
   */
  evict(bytes: number): void {
    const freed = this.turnHand(0, bytes);
    // Frozen states by age, a segment at a time (FrozenArena.evictOldest): what goes is the segment.
    let removed = 0;
    while (freed + removed < bytes) {
      const before = this.frozen.memoryBytes;
      const states = this.frozen.evictOldest();
      if (states < 0) break;
      this.evicted += states;
      if (states > 0) this.everEvicted = true;
      removed += before - this.frozen.memoryBytes;
    }
    if (removed > 0) this.frozen.shrink();
    this.syncFrozen();
  }

  /**
   * Examines up to `count` states (thawed, then frozen: a slice of each walk
   * per call) and deletes those `judge` condemns, calling `deleted` for each.
   * A frozen or resting state is judged by `judgeStored` from its bytes where that tells.
   */
  prune(
    count: number,
    judge: (handler: TabHandler, state: unknown) => boolean,
    deleted: (tab: string, client: string, entry?: TabState) => void,
    judgeStored: (handler: TabHandler, bytes: Uint8Array) => boolean | undefined = () => undefined,
  ): void {
    // A state held as bytes (frozen, or resting in the map): from the bytes where they tell, else deserialized
    // (deserializing a Tab record's sketches to find it is kept cost a few % of a worker).
    const condemnedBytes = (handler: TabHandler, bytes: Uint8Array): boolean => judgeStored(handler, bytes) ?? judge(handler, handler.deserialize(bytes));
    for (let examined = 0; examined < count; examined++) {
      const entry = this.pruneCursor.next();
      if (entry === undefined) break;
      // A Tab record in delta mode holds only its delta: judged once frozen whole, or in Redis with its base (stale-collector.ts).
      if (entry.base !== undefined) continue;
      if (!(isResting(entry) ? condemnedBytes(entry.handler, entry.frozen!) : judge(entry.handler, entry.state))) continue;
      this.drop(entry);
      release(entry);
      deleted(entry.tab, entry.client, entry);
    }
    this.frozen.sweep(Math.min(count, this.frozen.size), (tab, client, bytes) => {
      const kind = this.typeOf(tab);
      if (kind === undefined || !condemnedBytes(kind.handler, bytes)) return false;
      deleted(tab, client);
      return true;
    });
    this.syncFrozen();
  }

  /**
   * What it holds, by form, kind and type: every state visited (a tool's
   * description, e.g. `npm run bench:task`'s, not for the worker's loop).
   */
  describe(): HeldStates[] {
    const rows = new HeldStatesRows();
    const count = (form: HeldStates['form'], client: string, type: string, heapBytes: number, storedBytes: number): void =>
      rows.add({ form, kind: isRecord(client) ? 'record' : 'client', type, states: 1, heapBytes, storedBytes });
    for (const entry of this.thawed) {
      count(isResting(entry) ? 'resting' : 'thawed', entry.client, entry.type, entry.heapBytes, entry.frozen?.length ?? entry.base?.length ?? 0);
    }
    this.frozen.forEachSize((tab, client, bytes) => count('frozen', client, this.typeOf(tab)?.type ?? 'unknown', bytes + FROZEN_RECORD_OVERHEAD, bytes));
    return rows.list();
  }

  /** The task is dropped: nothing of it counts in the working set any more. */
  close(): void {
    this.unregister();
    for (const entry of this.thawed) release(entry);
    this.thawed.clear();
    this.byTab.clear();
    this.workingSet?.remove(this.frozenCounted);
    this.frozenCounted = 0;
    this.workingSet = undefined;
    this.last = null;
    this.lastRecord = null;
  }

  /** Freezes (and with `bytes`, goes on until about that much is freed) from where the hand stands; two laps at most. */
  private turnHand(steps: number, bytes: number): number {
    let freed = 0;
    for (let passed = 0, laps = 2 * this.thawed.size; passed < laps && (passed < steps || (bytes > 0 && freed < bytes)); passed++) {
      const entry = this.hand.next();
      if (entry === undefined) continue;
      if (entry.used) {
        entry.used = false;
        entry.idleLaps = 0;
        continue;
      }
      if (isRecord(entry.client) && ++entry.idleLaps < RECORD_IDLE_LAPS) continue;
      // Redis holds its base and a delta: the fold bolt writes it whole first (compactIdleRecords).
      if (entry.base !== undefined && entry.storedDelta === true) continue;
      if (entry.emittedIn > this.durableInterval || entry.pinnedIn === this.openInterval || entry === this.last || entry === this.lastRecord) continue;
      this.frozen.put(entry.tab, entry.client, frozenBytes(entry));
      this.drop(entry);
      freed += entry.heapBytes;
      release(entry);
      // The arena grew by the frozen bytes (or by room to grow): that counts against what was freed.
      freed += this.syncFrozen();
    }
    return freed;
  }

  private hold(entry: TabState): void {
    let clients = this.byTab.get(entry.tab);
    if (clients === undefined) this.byTab.set(entry.tab, (clients = new Map()));
    // An entry held in its place (a rebuilt Tab record's) no longer counts.
    const replaced = clients.get(entry.client);
    if (replaced !== undefined && replaced !== entry) {
      this.thawed.delete(replaced);
      release(replaced);
    }
    this.thawed.add(entry);
    clients.set(entry.client, entry);
  }

  /** No longer thawed: out of the set and the map (a Tab with none left goes from byTab). */
  private drop(entry: TabState): void {
    this.thawed.delete(entry);
    const clients = this.byTab.get(entry.tab);
    if (clients === undefined || clients.get(entry.client) !== entry) return;
    clients.delete(entry.client);
    if (clients.size === 0) this.byTab.delete(entry.tab);
  }

  /** Brings the working set's count of the arena (what it takes in memory) up to date; returns the bytes it went down by. */
  private syncFrozen(): number {
    const now = this.frozen.memoryBytes;
    const change = now - this.frozenCounted;
    this.workingSet?.add(change);
    this.frozenCounted = now;
    return -change;
  }
}
