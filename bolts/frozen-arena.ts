/**
 * The frozen states of one task, packed: every key and its stored bytes in
 * one growing byte arena, found through an open-addressing table (linear
 * probing) of record offsets, so a frozen state costs its key, its bytes and
 * a few bytes of table: no JavaScript object per state for the collector to
 * trace. Records are [key length u16][key, latin1][value length u32][value];
 * a rewritten or deleted record becomes garbage, and the arena is compacted
 * when garbage is over half of it. Keys and values are one-byte strings
 * (Tab and client names are ASCII, the wire format's charset; values are
 * bytes as latin1): a character above 0xff would be cut to its low byte.
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
  private hashes: Uint32Array;
  private live = 0;
  private tombstones = 0;
  /** Where a walk stands (a slot index). */
  private cursor = 0;

  constructor(initialSlots = MIN_SLOTS, initialBytes = MIN_ARENA_BYTES) {
    this.slots = new Int32Array(initialSlots);
    this.hashes = new Uint32Array(initialSlots);
    this.arena = Buffer.allocUnsafe(initialBytes);
  }

  get size(): number {
    return this.live;
  }

  /** What it holds in memory, bytes (arena and table). */
  get memoryBytes(): number {
    return this.arena.byteLength + this.slots.byteLength + this.hashes.byteLength;
  }

  has(key: string): boolean {
    return this.find(key, hashOf(key)) >= 0;
  }

  /** The value as latin1 text, or undefined. */
  get(key: string): string | undefined {
    const slot = this.find(key, hashOf(key));
    return slot < 0 ? undefined : this.valueAt(this.slots[slot]! - 1);
  }

  set(key: string, value: string): void {
    const hash = hashOf(key);
    // Appended first: making room may compact the arena and move the slots.
    const offset = this.append(key, value);
    const found = this.find(key, hash);
    if (found >= 0) {
      this.garbage += this.recordLength(this.slots[found]! - 1);
      this.slots[found] = offset + 1;
      return;
    }
    // Full of live entries: a table twice the size; full of deleted ones (churn): the same size, cleared.
    if ((this.live + this.tombstones + 1) * 2 > this.slots.length) this.rehash((this.live + 1) * 4 > this.slots.length ? this.slots.length * 2 : this.slots.length);
    this.insert(hash, offset);
    this.live++;
  }

  delete(key: string): boolean {
    const slot = this.find(key, hashOf(key));
    if (slot < 0) return false;
    this.removeAt(slot);
    return true;
  }

  /**
   * The next live entry of the walk, or undefined at the end of a lap (the
   * next call starts a new one). `remove()` deletes the entry it returned.
   */
  next(): { key: string; value: string; remove: () => void } | undefined {
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
    this.garbage += this.recordLength(ref - 1);
    this.slots[slot] = -1;
    this.live--;
    this.tombstones++;
    if (this.garbage > MIN_ARENA_BYTES && this.garbage * 2 > this.used) this.compact(0);
  }

  private find(key: string, hash: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const ref = this.slots[slot]!;
      if (ref === 0) return -1;
      if (ref > 0 && this.hashes[slot] === hash && this.keyEquals(ref - 1, key)) return slot;
    }
  }

  private insert(hash: number, offset: number): void {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot]! > 0) slot = (slot + 1) & mask;
    if (this.slots[slot] === -1) this.tombstones--;
    this.slots[slot] = offset + 1;
    this.hashes[slot] = hash;
  }

  private rehash(length: number): void {
    const { slots, hashes } = this;
    this.slots = new Int32Array(length);
    this.hashes = new Uint32Array(length);
    this.tombstones = 0;
    for (let i = 0; i < slots.length; i++) if (slots[i]! > 0) this.insert(hashes[i]!, slots[i]! - 1);
    this.cursor = 0;
  }

  /** Writes a record at the end (compacting or growing the arena first when it is full); its offset. */
  private append(key: string, value: string): number {
    const length = 6 + key.length + value.length;
    if (this.used + length > this.arena.byteLength) this.compact(length);
    const at = this.used;
    const a = this.arena;
    a.writeUInt16LE(key.length, at);
    a.write(key, at + 2, 'latin1');
    a.writeUInt32LE(value.length, at + 2 + key.length);
    a.write(value, at + 6 + key.length, 'latin1');
    this.used += length;
    return at;
  }

  /** Copies the live records into an arena with room for `extra` more bytes (times `room`), and points the slots at them. */
  private compact(extra: number, room = 1.5): void {
    const liveBytes = this.used - this.garbage;
    const capacity = Math.max(MIN_ARENA_BYTES, Math.ceil((liveBytes + extra) * room));
    const next = Buffer.allocUnsafe(capacity);
    let at = 0;
    for (let slot = 0; slot < this.slots.length; slot++) {
      const ref = this.slots[slot]!;
      if (ref <= 0) continue;
      const length = this.recordLength(ref - 1);
      this.arena.copy(next, at, ref - 1, ref - 1 + length);
      this.slots[slot] = at + 1;
      at += length;
    }
    this.arena = next;
    this.used = at;
    this.garbage = 0;
    // Few live entries in a big table: shrink it too.
    if (this.slots.length > MIN_SLOTS && this.live * 8 < this.slots.length) this.rehash(Math.max(MIN_SLOTS, nextPowerOfTwo(this.live * 4)));
  }

  private recordLength(offset: number): number {
    const keyLength = this.arena.readUInt16LE(offset);
    return 6 + keyLength + this.arena.readUInt32LE(offset + 2 + keyLength);
  }

  private keyAt(offset: number): string {
    return this.arena.toString('latin1', offset + 2, offset + 2 + this.arena.readUInt16LE(offset));
  }

  private valueAt(offset: number): string {
    const keyLength = this.arena.readUInt16LE(offset);
    const start = offset + 6 + keyLength;
    return this.arena.toString('latin1', start, start + this.arena.readUInt32LE(offset + 2 + keyLength));
  }

  private keyEquals(offset: number, key: string): boolean {
    const a = this.arena;
    if (a.readUInt16LE(offset) !== key.length) return false;
    for (let i = 0, at = offset + 2; i < key.length; i++, at++) if (a[at] !== (key.charCodeAt(i) & 0xff)) return false;
    return true;
  }
}

/** An arena's smallest table and buffer: a task holding few frozen states costs ~4.5 KiB. */
const MIN_SLOTS = 64;
const MIN_ARENA_BYTES = 4096;

/** FNV-1a over the key's one-byte characters. */
function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i) & 0xff;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
