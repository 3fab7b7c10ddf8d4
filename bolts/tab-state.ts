// One (Tab, client) state in a worker's memory, in one of two forms: thawed
// (the handler's objects, which a fold changes in place) or frozen (the bytes
// Redis holds for it, about its stored size: a leaf the collector does not
// trace). A state a checkpoint wrote and no event touched since is frozen by
// the working set's hand; the next event thaws it. Both forms are kept while
// they agree (from a checkpoint's serialization until the next fold), so
// freezing such a state costs nothing.
import type { TabHandler } from './handlers/handler';
import type { WorkingSet } from '../topology/runtime/working-set';

export interface TabState {
  tab: string;
  client: string;
  type: string;
  handler: TabHandler;
  /** The thawed form; undefined while frozen. */
  state: unknown;
  /**
   * The stored bytes as a one-byte (latin1) string, while they agree with the
   * state (always set while frozen): a string costs 16 bytes beside its
   * characters, a Uint8Array some 200.
   */
  frozen: string | undefined;
  /** Set when the fold dropped it (its handler said it holds nothing worth keeping). */
  pruned?: boolean;
  /** The checkpoint interval in which the fold last emitted it (see FoldBolt.interval). */
  emittedIn: number;
  /** Used since the working set's hand last passed (a second chance, CLOCK). */
  used: boolean;
  /** The interval of its task's last prefetch that asked for it: not evicted before that slice is folded. */
  pinnedIn: number;
  /** What it is taken to cost in memory, bytes (counted in the process's working set). */
  heapBytes: number;
  /** The working set it is counted in, if any. */
  workingSet: WorkingSet | undefined;
}

/**
 * Estimates of a state's heap. Thawed, today's object forms take about 4 to
 * 20 times their stored bytes plus a fixed cost per object graph; frozen, the
 * bytes plus the entry, its key and its map slot.
 */
const THAWED_PER_STORED_BYTE = 12;
const THAWED_PER_STATE = 512;
const FROZEN_PER_STATE = 160;
/** A new state's estimate, until a checkpoint stores it and tells its size. */
export const NEW_STATE_HEAP_BYTES = 1024;

function estimate(entry: TabState, storedBytes: number): number {
  const bytes = entry.frozen === undefined ? 0 : entry.frozen.length;
  if (entry.state === undefined) return FROZEN_PER_STATE + bytes;
  return THAWED_PER_STATE + THAWED_PER_STORED_BYTE * storedBytes + bytes;
}

function resize(entry: TabState, heapBytes: number): void {
  entry.workingSet?.add(heapBytes - entry.heapBytes);
  entry.heapBytes = heapBytes;
}

const toText = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
const toBytes = (text: string): Uint8Array => Buffer.from(text, 'latin1');

/** A state read from Redis, thawed and frozen at once (both forms agree). */
export function storedState(tab: string, client: string, type: string, handler: TabHandler, bytes: Uint8Array, workingSet: WorkingSet | undefined): TabState {
  const entry: TabState = { tab, client, type, handler, state: handler.deserialize(bytes), frozen: toText(bytes), emittedIn: -1, used: true, pinnedIn: -1, heapBytes: 0, workingSet };
  resize(entry, estimate(entry, bytes.length));
  return entry;
}

/** A state no event ever touched (nothing stored for it). */
export function newState(tab: string, client: string, type: string, handler: TabHandler, workingSet: WorkingSet | undefined): TabState {
  const entry: TabState = { tab, client, type, handler, state: handler.newState(), frozen: undefined, emittedIn: -1, used: true, pinnedIn: -1, heapBytes: 0, workingSet };
  resize(entry, NEW_STATE_HEAP_BYTES);
  return entry;
}

/** The thawed form, for a fold about to change it: the stored bytes no longer agree after. */
export function thawForFold(entry: TabState): unknown {
  if (entry.frozen !== undefined) {
    const storedBytes = entry.frozen.length;
    if (entry.state === undefined) entry.state = entry.handler.deserialize(toBytes(entry.frozen));
    entry.frozen = undefined;
    resize(entry, estimate(entry, storedBytes));
  }
  return entry.state;
}

/** The thawed form to read, without keeping it (a frozen state stays frozen). */
export function peek(entry: TabState): unknown {
  return entry.state ?? entry.handler.deserialize(toBytes(entry.frozen!));
}

/** A checkpoint serialized it: these bytes are what Redis will hold (the sink calls it). */
export function noteStored(entry: TabState, bytes: Uint8Array): void {
  entry.frozen = toText(bytes);
  resize(entry, estimate(entry, bytes.length));
}

/** Keeps only the stored bytes (serializing now if they are not at hand); returns the bytes freed. */
export function freeze(entry: TabState): number {
  if (entry.state === undefined) return 0;
  entry.frozen ??= toText(entry.handler.serialize(entry.state));
  entry.state = undefined;
  const before = entry.heapBytes;
  resize(entry, estimate(entry, entry.frozen.length));
  return before - entry.heapBytes;
}

/** Takes it out of the working set's count (evicted, pruned, or its task dropped). */
export function release(entry: TabState): void {
  entry.workingSet?.remove(entry.heapBytes);
  entry.workingSet = undefined;
}
