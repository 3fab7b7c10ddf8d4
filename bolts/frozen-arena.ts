import { storedCopies } from './byte-slab';
import { NameTable } from './name-table';

/**
 * The frozen states of one task, packed: every state's stored bytes in one
 * growing byte arena, found through an open-addressing table (linear
 * probing) of record offsets, so a frozen state costs little more than its
 * bytes, and there is no JavaScript object per state for the collector to
 * trace. Keys are `<tab>\0<client>`; a record carries the Tab and the client
 * as numbers from two NameTables (a Tab's name would otherwise be written
 * once per client):
 *   [tab number, varuint][client number, varuint][value length, varuint][value]
 * A rewritten or deleted record becomes garbage; the arena is compacted when
 * garbage is over a third of it, and then drops from its name tables the
 * names no live record uses any more.
 *
 * Iteration is by slot (`next`): a walk can stop anywhere and go on later;
 * entries added meanwhile may or may not be met in the current lap.
 */
export class FrozenArena {
  private arena: Buffer;
  /** Bytes of the arena in use: live records and garbage. */
  private used = 0;
  private garbage = 0;
  /** Per slot: 0 empty, -1 deleted, else the record's offset + 1. */
  private slots: Int32Array;
  private live = 0;
  private tombstones = 0;
  /** Where a walk stands (a slot index). */
  private cursor = 0;
  private tabs = new NameTable();
  private clients = new NameTable();

  constructor(initialSlots = MIN_SLOTS, initialBytes = MIN_ARENA_BYTES) {
    this.slots = new Int32Array(initialSlots);
    this.arena = Buffer.allocUnsafe(initialBytes);
  }

  get size(): number {
    return this.live;
  }

  /** What it holds in memory, bytes: the arena (garbage and room to grow included), the table and the names. */
  get memoryBytes(): number {
    return this.arena.byteLength + this.slots.byteLength + this.tabs.memoryBytes + this.clients.memoryBytes;
  }

  has(key: string): boolean {
    return this.findKey(key) >= 0;
  }

  /** A copy of the value (in the shared slab of stored copies: never a view on the arena, which moves), or undefined. */
  get(key: string): Uint8Array | undefined {
    const slot = this.findKey(key);
    if (slot < 0) return undefined;
    const length = valueLength(this.arena, this.slots[slot]! - 1);
    return storedCopies.copy(this.arena.subarray(readEnd, readEnd + length));
  }

  /** As has(), by the Tab's and client's names (no key to split). */
  holds(tab: string, client: string): boolean {
    return this.findNamed(tab, client) >= 0;
  }

  /** As get() then delete(), by the Tab's and client's names: one lookup. */
  take(tab: string, client: string): Uint8Array | undefined {
    const slot = this.findNamed(tab, client);
    if (slot < 0) return undefined;
    const length = valueLength(this.arena, this.slots[slot]! - 1);
    const copy = storedCopies.copy(this.arena.subarray(readEnd, readEnd + length));
    this.removeAt(slot);
    return copy;
  }

  /** Keeps a copy of the value. */
  set(key: string, value: Uint8Array): void {
    const at = key.indexOf('\u0000');
    if (at < 0) throw new TypeError(`a frozen state's key is <tab>\\0<client>, got '${key}'`);
    // Room first: a compaction may renumber the names.
    this.makeRoom(MAX_HEADER_BYTES + value.length);
    const tab = this.tabs.intern(key.slice(0, at));
    const client = this.clients.intern(key.slice(at + 1));
    const hash = hashOf(tab, client);
    const offset = this.append(tab, client, value);
    const found = this.find(tab, client, hash);
    if (found >= 0) {
      this.garbage += recordLength(this.arena, this.slots[found]! - 1);
      this.slots[found] = offset + 1;
      return;
    }
    // Full of live entries: a table twice the size; full of deleted ones (churn): the same size, cleared.
    if ((this.live + this.tombstones + 1) * LOAD_DENOMINATOR > this.slots.length * LOAD_NUMERATOR) {
      this.rehash((this.live + 1) * 2 * LOAD_DENOMINATOR > this.slots.length * LOAD_NUMERATOR ? this.slots.length * 2 : this.slots.length);
    }
    this.insert(hash, offset);
    this.live++;
  }

  delete(key: string): boolean {
    const slot = this.findKey(key);
    if (slot < 0) return false;
    this.removeAt(slot);
    return true;
  }

  /**
   * The next live entry of the walk, or undefined at the end of a lap (the
   * next call starts a new one). `remove()` deletes the entry it returned.
   * Its value is a view of the arena, good until the arena next changes.
   */
  next(): { key: string; value: Uint8Array; remove: () => void } | undefined {
    while (this.cursor < this.slots.length) {
      const slot = this.cursor++;
      const ref = this.slots[slot]!;
      if (ref <= 0) continue;
      const offset = ref - 1;
      return { key: this.keyAt(offset), value: this.valueAt(offset), remove: () => this.removeAt(slot) };
    }
    this.cursor = 0;
    return undefined;
  }

  /** Compacts now, to a snug fit, when the arena holds over a fifth more than its live entries need: gives memory back after evictions. */
  shrink(): void {
    const live = this.used - this.garbage;
    if (this.arena.byteLength > MIN_ARENA_BYTES && this.arena.byteLength > 1.2 * live) this.compact(0, 1.1);
  }

  private removeAt(slot: number): void {
    const ref = this.slots[slot]!;
    if (ref <= 0) return;
    this.garbage += recordLength(this.arena, ref - 1);
    this.slots[slot] = -1;
    this.live--;
    this.tombstones++;
    if (this.garbage > MIN_ARENA_BYTES && this.garbage * GARBAGE_SHARE > this.used) this.compact(0);
  }

  private findKey(key: string): number {
    const at = key.indexOf('\u0000');
    return at < 0 ? -1 : this.findNamed(key.slice(0, at), key.slice(at + 1));
  }

  private findNamed(tabName: string, clientName: string): number {
    const tab = this.tabs.idOf(tabName);
    const client = tab === undefined ? undefined : this.clients.idOf(clientName);
    return tab === undefined || client === undefined ? -1 : this.find(tab, client, hashOf(tab, client));
  }

  private find(tab: number, client: number, hash: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const ref = this.slots[slot]!;
      if (ref === 0) return -1;
      if (ref > 0 && readVaruint(this.arena, ref - 1) === tab && readVaruint(this.arena, readEnd) === client) return slot;
    }
  }

  private insert(hash: number, offset: number): void {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot]! > 0) slot = (slot + 1) & mask;
    if (this.slots[slot] === -1) this.tombstones--;
    this.slots[slot] = offset + 1;
  }

  /** A table of `length` slots (a power of two) holding the live records again; no hashes are kept, so each is read back. */
  private rehash(length: number): void {
    const { slots } = this;
    this.slots = new Int32Array(length);
    this.tombstones = 0;
    for (let i = 0; i < slots.length; i++) {
      const ref = slots[i]!;
      if (ref <= 0) continue;
      const tab = readVaruint(this.arena, ref - 1);
      this.insert(hashOf(tab, readVaruint(this.arena, readEnd)), ref - 1);
    }
    this.cursor = 0;
  }

  /** Compacts or grows the arena when `length` more bytes would not fit. */
  private makeRoom(length: number): void {
    // Room to grow, mostly: names are worth counting only when much of the arena is garbage.
    if (this.used + length > this.arena.byteLength) this.compact(length, GROWTH, this.garbage * GARBAGE_SHARE > this.used);
  }

  /** Writes a record at the end (room made beforehand); its offset. */
  private append(tab: number, client: number, value: Uint8Array): number {
    const at = this.used;
    let end = this.writeVaruint(at, tab);
    end = this.writeVaruint(end, client);
    end = this.writeVaruint(end, value.length);
    this.arena.set(value, end);
    end += value.length;
    this.used = end;
    return at;
  }

  /**
   * Copies the live records into an arena with room for `extra` more bytes
   * (times `room`), and points the slots at them. With `renumber`, when most
   * names of a table are no longer used by a live record, the records are
   * renumbered into a new table of the names in use (a pass over the records
   * to count them: done where garbage made the compaction, not at each growth).
   */
  private compact(extra: number, room = GROWTH, renumber = true): void {
    const tabs = renumber ? this.renumbering(this.tabs, 0) : undefined;
    const clients = renumber ? this.renumbering(this.clients, 1) : undefined;
    const liveBytes = this.used - this.garbage;
    const capacity = Math.max(MIN_ARENA_BYTES, Math.ceil((liveBytes + extra) * room));
    const old = this.arena;
    this.arena = Buffer.allocUnsafe(capacity);
    let at = 0;
    for (let slot = 0; slot < this.slots.length; slot++) {
      const ref = this.slots[slot]!;
      if (ref <= 0) continue;
      const offset = ref - 1;
      const length = recordLength(old, offset);
      this.slots[slot] = at + 1;
      if (tabs === undefined && clients === undefined) {
        old.copy(this.arena, at, offset, offset + length);
        at += length;
        continue;
      }
      // Renumbered: the record is written again with its new numbers (no longer than before).
      const tab = readVaruint(old, offset);
      const client = readVaruint(old, readEnd);
      const bytes = valueLength(old, offset);
      const valueStart = readEnd;
      at = this.writeVaruint(at, tabs === undefined ? tab : tabs.intern(this.tabs.nameOf(tab)));
      at = this.writeVaruint(at, clients === undefined ? client : clients.intern(this.clients.nameOf(client)));
      at = this.writeVaruint(at, bytes);
      old.copy(this.arena, at, valueStart, valueStart + bytes);
      at += bytes;
    }
    this.used = at;
    this.garbage = 0;
    if (tabs !== undefined) this.tabs = tabs;
    if (clients !== undefined) this.clients = clients;
    const renumbered = tabs !== undefined || clients !== undefined;
    // Few live entries in a big table: shrink it too. Renumbered records hash elsewhere: rehash in any case.
    if (this.slots.length > MIN_SLOTS && this.live * 8 < this.slots.length) this.rehash(Math.max(MIN_SLOTS, nextPowerOfTwo(this.live * 4)));
    else if (renumbered) this.rehash(this.slots.length);
  }

  /** A new, empty table to renumber `table`'s names into, when live records use under half of them; else undefined. */
  private renumbering(table: NameTable, field: 0 | 1): NameTable | undefined {
    if (table.size < MIN_NAMES_TO_RENUMBER) return undefined;
    const used = new Uint8Array(table.size);
    let distinct = 0;
    for (let slot = 0; slot < this.slots.length; slot++) {
      const ref = this.slots[slot]!;
      if (ref <= 0) continue;
      const id = readVaruint(this.arena, field === 0 ? ref - 1 : varuintEnd(this.arena, ref - 1));
      if (used[id] === 0) {
        used[id] = 1;
        distinct++;
      }
    }
    return distinct * 2 < table.size ? new NameTable() : undefined;
  }

  private keyAt(offset: number): string {
    const tab = readVaruint(this.arena, offset);
    return `${this.tabs.nameOf(tab)}\u0000${this.clients.nameOf(readVaruint(this.arena, readEnd))}`;
  }

  /** A view of the value in the arena. */
  private valueAt(offset: number): Uint8Array {
    const length = valueLength(this.arena, offset);
    return this.arena.subarray(readEnd, readEnd + length);
  }

  private writeVaruint(at: number, value: number): number {
    const a = this.arena;
    while (value >= 0x80) {
      a[at++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    a[at++] = value;
    return at;
  }
}

/** An arena's smallest table and buffer: a task holding few frozen states costs ~4.3 KiB. */
const MIN_SLOTS = 64;
const MIN_ARENA_BYTES = 4096;
/** The table grows past 5/8 full (live and deleted slots). */
const LOAD_NUMERATOR = 5;
const LOAD_DENOMINATOR = 8;
/** Garbage past 1/GARBAGE_SHARE of the arena's used bytes compacts it. */
const GARBAGE_SHARE = 3;
/** A compaction to make room leaves this much room to grow (times what it needs). */
const GROWTH = 1.25;
/** Three varuints of numbers and a length below 2^35. */
const MAX_HEADER_BYTES = 15;
/** Name tables this small are never renumbered (not worth the pass). */
const MIN_NAMES_TO_RENUMBER = 256;

/** Where the last readVaruint ended: its second result. */
let readEnd = 0;

/** The varuint at `offset` (its end goes to readEnd). */
function readVaruint(a: Buffer, offset: number): number {
  let value = 0;
  let scale = 1;
  let at = offset;
  for (;;) {
    const byte = a[at++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) break;
    scale *= 128;
  }
  readEnd = at;
  return value;
}

/** Where the varuint at `offset` ends. */
function varuintEnd(a: Buffer, offset: number): number {
  let at = offset;
  while (a[at]! >= 0x80) at++;
  return at + 1;
}

/** The length of the value of the record at `offset`; the value starts at readEnd. */
function valueLength(a: Buffer, offset: number): number {
  return readVaruint(a, varuintEnd(a, varuintEnd(a, offset)));
}

/** A record's whole length: its three varuints and its value. */
function recordLength(a: Buffer, offset: number): number {
  const length = valueLength(a, offset);
  return readEnd - offset + length;
}

/** A (tab, client) pair's hash: murmur3's finalizer over the two numbers mixed. */
function hashOf(tab: number, client: number): number {
  let h = Math.imul(tab, 0x9e3779b1) ^ client;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
