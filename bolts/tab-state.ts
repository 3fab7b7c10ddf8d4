// One (Tab, client) state a fold task holds in its map: thawed (the
// handler's objects, which a fold changes in place) or resting (the objects
// let go, only the bytes kept: deserialized again by its next fold). Frozen
// states (bytes only, no entry) live packed in a FrozenArena (see
// resident-states.ts). The entry keeps the bytes the last checkpoint
// serialized (the very bytes it wrote, not a copy), or that resting
// serialized, while they still agree with the state, so freezing or
// writing it then costs no serialization.
import type { TabHandler } from '../tabs/handlers/handler';
import type { WorkingSet } from '../contracts/working-set';
import { storedRecordState } from '../state/stored-record';
import { RECORD_CLIENT } from '../state/redis-keys';

export interface TabState {
  tab: string;
  client: string;
  type: string;
  handler: TabHandler;
  /**
   * The handler's objects; RESTING when only `frozen` holds the state (a
   * state fetched or thawed and not folded yet, or folded in an earlier
   * slice and let go since): its next fold deserializes it again.
   */
  state: unknown;
  /** The stored bytes while they agree with `state`; cleared by the next fold. Never changed in place. */
  frozen: Uint8Array | undefined;
  /** Set when the fold dropped it (its handler said it holds nothing worth keeping). */
  pruned?: boolean;
  /** The checkpoint interval in which the fold last emitted it (see FoldBolt.interval). */
  emittedIn: number;
  /** Used since the working set's hand last passed (a second chance, CLOCK). */
  used: boolean;
  /** Laps of the hand since it was last used (a Tab record is frozen only after several: see ResidentStates). */
  idleLaps: number;
  /** The interval of its task's last prefetch that asked for it: not evicted before that slice is folded. */
  pinnedIn: number;
  /** What it is taken to cost in memory, bytes (counted in the process's working set). */
  heapBytes: number;
  /** The working set it is counted in, if any. */
  workingSet: WorkingSet | undefined;
  /** It rested once since it came out of the arena or from Redis: woken again, it stays thawed (see FoldBolt.restWakened). */
  restedOnce: boolean;
  /**
   * A Tab record in delta mode (bolts/record-write.ts): the bytes of the
   * base Redis holds (`*`), while `state` is only the record's delta, the
   * events folded since that base was written. The record is the two
   * merged (wholeRecord). Undefined for a client state and for a record
   * held whole (a small one, a new one, one out of the arena).
   */
  base?: Uint8Array;
  /** A Tab record: whether Redis holds a delta (`*+`) beside its base; undefined when not known (out of the arena, rebuilt). */
  storedDelta?: boolean;
}

/** A resting state's `state`: its objects are gone, its bytes in `frozen` are the state. */
export const RESTING: unique symbol = Symbol('resting');

/**
 * What a resting state costs beside its bytes: the entry, its place in the
 * task's set and map by Tab, and the bytes' typed array (`npm run
 * bench:fold`: 290-370 B by type, states of two events; 370-440 while a map
 * by key held a key string per state).
 */
const RESTING_HEAP_BYTES = 330;

/**
 * An estimate of a thawed state's heap from its stored size: a fixed part
 * per type (its entry and objects, what a state of two events costs beside
 * its cells) plus about 8 B of heap per stored byte (cells as numbers,
 * sketches with room to grow), and the agreeing bytes while kept. Measured
 * (`npm run bench:fold`, states of two events: counter 544 B for 66 stored,
 * gauge 366 for 16, percentile 2,070 for 203, unique 1,735 for 71, buffer
 * 631 for 33; and `bench/record-heap.ts`, Tab records of 150-5,000 events: percentile 8.4-28.7 KB
 * for 1.2-3.8 KB stored, unique 6.6-100 KB for 1-13.5 KB): 7-9 B per stored
 * byte for large states of every type. A factor per type fitted to the
 * small states alone (unique 23, percentile 11) counted a unique Tab record
 * at three times its heap: at Taba's full shape the working set's thawed
 * records then took most of the budget, and frozen states were evicted
 * (and fetched again) for heap that was never there. A unique state once
 * written keeps its dense sketches' codes for the next write
 * (tabs/sketches/kept-sketch-codes.ts, with chunk tables), and holds its
 * sparse lists of 256 entries or more coded (tabs/sketches/coded-sparse.ts):
 * a unique Tab record holds 2.3 B per stored byte at 1,000 events (all its
 * lists sparse), 7.0-7.7 at 3,000-6,000 (its busy buckets dense), once
 * written (bench/record-heap.ts; 8.6-10.0 while its long lists were arrays),
 * so unique states count 7. A percentile state's sketches of 64 bins or more
 * are held dense (tabs/sketches/dense-bins.ts, ~1 B a key): its heap grows
 * by ~1.5 B per stored byte past its first 512 (bench/record-heap.ts: 5.3 KB
 * for 1.2 KB stored at 150 events, 7.3-7.5 KB for 2.0-3.8 KB at 500-6,000,
 * 10.5 KB for 5.2 KB at 20,000; 18.5-27.9 KB for 2.5-3.7 KB while they were
 * pairs).
 */
const HEAP_PER_STORED_BYTE = 8;
const UNIQUE_HEAP_PER_STORED_BYTE = 7;
const PERCENTILE_DENSE_FROM_STORED_BYTES = 512;
const PERCENTILE_DENSE_HEAP_PER_STORED_BYTE = 1.5;
const FIXED_HEAP_BYTES: Record<string, number> = { counter: 16, gauge: 240, percentile: 450, unique: 1170, buffer: 370 };
/** For types the table does not know (a topology's own handlers, whose objects nothing measured): 30 B per stored byte, as before. */
const UNKNOWN_TYPE_HEAP_PER_STORED_BYTE = 30;
const MIN_STATE_HEAP_BYTES = 256;
/** A new state's estimate, until a checkpoint stores it and tells its size. */
const NEW_STATE_HEAP_BYTES = 1024;

function estimate(type: string, storedBytes: number, kept: Uint8Array | undefined): number {
  const fixed = FIXED_HEAP_BYTES[type];
  const perByte = type === 'unique' ? UNIQUE_HEAP_PER_STORED_BYTE : HEAP_PER_STORED_BYTE;
  let objects: number;
  if (fixed === undefined) objects = UNKNOWN_TYPE_HEAP_PER_STORED_BYTE * storedBytes;
  else if (type === 'percentile' && storedBytes > PERCENTILE_DENSE_FROM_STORED_BYTES) {
    objects = fixed + perByte * PERCENTILE_DENSE_FROM_STORED_BYTES + PERCENTILE_DENSE_HEAP_PER_STORED_BYTE * (storedBytes - PERCENTILE_DENSE_FROM_STORED_BYTES);
  } else objects = fixed + perByte * storedBytes;
  return Math.max(MIN_STATE_HEAP_BYTES, objects) + (kept === undefined ? 0 : kept.length);
}

function resize(entry: TabState, heapBytes: number): void {
  entry.workingSet?.add(heapBytes - entry.heapBytes);
  entry.heapBytes = heapBytes;
}

/**
 * Keeps `bytes` as its stored bytes (undefined: none), letting the old ones
 * go. Kept bytes are often views on a shared slab, which they pin whole: the
 * working set's ledger of pinned slabs is told (their own length is counted
 * in `heapBytes`).
 */
function keepBytes(entry: TabState, bytes: Uint8Array | undefined): void {
  const old = entry.frozen;
  if (old === bytes) return;
  entry.frozen = bytes;
  const pins = entry.workingSet?.pins;
  if (pins === undefined) return;
  if (old !== undefined) pins.letGo(old);
  if (bytes !== undefined) pins.keep(bytes);
}


function entryOf(tab: string, client: string, type: string, handler: TabHandler, state: unknown, frozen: Uint8Array | undefined, workingSet: WorkingSet | undefined): TabState {
  // A Tab record's fields of delta mode are there from the start: set later, in either order,
  // they gave records several hidden classes, and the fold's and the hand's reads of entries
  // more shapes than their inline caches keep (a client state, the many, goes without them).
  if (client === RECORD_CLIENT) {
    return { tab, client, type, handler, state, frozen, emittedIn: -1, used: true, idleLaps: 0, pinnedIn: -1, heapBytes: 0, workingSet, restedOnce: false, base: undefined, storedDelta: undefined };
  }
  return { tab, client, type, handler, state, frozen, emittedIn: -1, used: true, idleLaps: 0, pinnedIn: -1, heapBytes: 0, workingSet, restedOnce: false };
}

/**
 * A state from its stored bytes (read from Redis, or out of the frozen
 * arena), resting: deserialized by its first fold. The bytes are kept: they
 * must be the caller's to give (ownedBytes), never changed after.
 */
export function storedState(tab: string, client: string, type: string, handler: TabHandler, bytes: Uint8Array, workingSet: WorkingSet | undefined): TabState {
  const entry = entryOf(tab, client, type, handler, RESTING, undefined, workingSet);
  keepBytes(entry, bytes);
  resize(entry, RESTING_HEAP_BYTES + bytes.length);
  return entry;
}

export function isResting(entry: TabState): boolean {
  return entry.state === RESTING;
}

/** The handler's state, deserialized again when resting (and kept so). */
export function stateOf(entry: TabState): unknown {
  if (entry.state !== RESTING) return entry.state;
  const bytes = entry.frozen!;
  entry.state = entry.handler.deserialize(bytes);
  resize(entry, estimate(entry.type, bytes.length, bytes));
  return entry.state;
}

/**
 * Lets its objects go, keeping only its bytes (serialized now unless the
 * kept ones still agree): a state folded in one slice and not the next
 * would otherwise keep its objects alive until its checkpoint is durable and
 * the freezing hand passes, long enough to be promoted out of the young
 * generation for the collector's full marking to trace.
 */
export function rest(entry: TabState): void {
  if (entry.state === RESTING) return;
  const bytes = frozenBytes(entry);
  keepBytes(entry, bytes);
  entry.state = RESTING;
  resize(entry, RESTING_HEAP_BYTES + bytes.length);
}

/**
 * A Tab record read from Redis: its base and, when Redis holds one, its
 * delta. A base large enough for deltas (record-write.ts) is kept as its
 * bytes, unread, and the record held in delta mode: its state is the delta
 * read (or a new one); a smaller base rests as a stored state does.
 */
export function storedRecord(tab: string, client: string, type: string, handler: TabHandler, base: Uint8Array, delta: Uint8Array | null, workingSet: WorkingSet | undefined, smallBytes: number): TabState {
  if (base.length < smallBytes) {
    if (delta === null) {
      const entry = storedState(tab, client, type, handler, base, workingSet);
      entry.storedDelta = false;
      return entry;
    }
    // Not written so, but read as it is: the record whole, the delta deleted by its next write.
    const entry = entryOf(tab, client, type, handler, storedRecordState(handler, base, delta), undefined, workingSet);
    resize(entry, estimate(type, base.length + delta.length, undefined));
    entry.storedDelta = true;
    return entry;
  }
  const entry = entryOf(tab, client, type, handler, delta === null ? handler.newState() : handler.deserialize(delta), undefined, workingSet);
  entry.base = base;
  entry.storedDelta = delta !== null;
  resize(entry, deltaModeHeap(type, base, delta?.length ?? 0));
  return entry;
}

/** What a record in delta mode costs: its delta's objects and its base's bytes. */
function deltaModeHeap(type: string, base: Uint8Array, deltaBytes: number): number {
  return estimate(type, deltaBytes, undefined) + base.length;
}

/** The record's state and bytes (for a record in delta mode its base merged with its delta): what Redis holds for it together. */
export function wholeRecord(entry: TabState): { state: unknown; bytes: Uint8Array } {
  if (entry.base === undefined) {
    const state = stateOf(entry);
    return { state, bytes: frozenBytes(entry) };
  }
  const state = entry.handler.deserialize(entry.base);
  entry.handler.mergeState!(state, entry.state);
  return { state, bytes: entry.handler.serialize(state) };
}

/** A record in delta mode wrote its delta (`deltaBytes` long): its estimate follows the delta's growth. */
export function deltaWritten(entry: TabState, deltaBytes: number): void {
  if (entry.base !== undefined) resize(entry, deltaModeHeap(entry.type, entry.base, deltaBytes));
}

/** A record written whole (`bytes`): large enough, it goes on in delta mode from a new delta; else it stays whole. */
export function recordWritten(entry: TabState, state: unknown, bytes: Uint8Array, smallBytes: number): void {
  if (bytes.length < smallBytes) {
    entry.base = undefined;
    entry.state = state;
    noteStored(entry, bytes);
    return;
  }
  keepBytes(entry, undefined);
  entry.base = bytes;
  entry.state = entry.handler.newState();
  resize(entry, deltaModeHeap(entry.type, bytes, 0));
}

/** A state built here from others (a Tab record rebuilt from its clients' states), not stored yet. */
export function builtState(tab: string, client: string, type: string, handler: TabHandler, state: unknown, workingSet: WorkingSet | undefined): TabState {
  const entry = entryOf(tab, client, type, handler, state, undefined, workingSet);
  resize(entry, NEW_STATE_HEAP_BYTES);
  return entry;
}

/** A state no event ever touched (nothing stored for it). */
export function newState(tab: string, client: string, type: string, handler: TabHandler, workingSet: WorkingSet | undefined): TabState {
  const entry = entryOf(tab, client, type, handler, handler.newState(), undefined, workingSet);
  resize(entry, NEW_STATE_HEAP_BYTES);
  return entry;
}

/** A fold is about to change the state: the kept bytes no longer agree. Returns the state to fold into. */
export function changing(entry: TabState): unknown {
  const state = stateOf(entry);
  if (entry.frozen !== undefined) {
    const storedBytes = entry.frozen.length;
    keepBytes(entry, undefined);
    resize(entry, estimate(entry.type, storedBytes, undefined));
  }
  return state;
}

/** A checkpoint serialized it: these bytes are what Redis will hold (the sink calls it). */
export function noteStored(entry: TabState, bytes: Uint8Array): void {
  keepBytes(entry, bytes);
  resize(entry, entry.state === RESTING ? RESTING_HEAP_BYTES + bytes.length : estimate(entry.type, bytes.length, entry.frozen));
}

/** Its stored bytes, to freeze it or write it (serialized now when the kept ones are not at hand). */
export function frozenBytes(entry: TabState): Uint8Array {
  // A record in delta mode: its state is only the delta.
  if (entry.base !== undefined) return wholeRecord(entry).bytes;
  return entry.frozen ?? entry.handler.serialize(entry.state);
}

/** Takes it out of the working set's count (frozen, evicted, pruned, or its task dropped). */
export function release(entry: TabState): void {
  if (entry.frozen !== undefined) entry.workingSet?.pins?.letGo(entry.frozen);
  entry.workingSet?.remove(entry.heapBytes);
  entry.workingSet = undefined;
}
