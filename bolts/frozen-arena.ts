import { storedCopies } from './byte-slab';
import { NameTable } from './name-table';

/**
 * The frozen states of one task, packed: every state's stored bytes in byte
 * segments, found through an open-addressing table (linear probing) of
 * record references, so a frozen state costs little more than its bytes,
 * and there is no JavaScript object per state for the collector to trace.
 * Keys are `<tab>\0<client>`; a record carries the Tab and the client as
 * numbers from two NameTables (a Tab's name would otherwise be written once
 * per client):
 *   [tab number, varuint][client number, varuint][value length, varuint][value]
 *
 * Records are appended to the last segment (which starts small and grows by a quarter
 * up to SEGMENT_BYTES, then a new one starts). A rewritten or deleted record
 * becomes garbage in its segment; a segment over a third garbage is cleaned
 * (its live records appended again at the end, the segment dropped). So no
 * call ever moves more than one segment: one arena of 500,000 states (53 MiB)
 * compacted whole took ~90 ms, a stall of the worker's loop each time (and
 * growing it copied it record by record). A name no live record holds frees
 * its number (NameTable), so nothing is ever renumbered.
 *
 * Iteration is by slot (`next`): a walk can stop anywhere and go on later;
 * entries added meanwhile may or may not be met in the current lap.
 */
export class FrozenArena {
  /** The segments by number; undefined where one was dropped (its number is given again). */
  private readonly segments: Array<Buffer | undefined> = [];
  /** Per segment: bytes in use (live records and garbage) and garbage. */
  private readonly used: number[] = [];
  private readonly garbage: number[] = [];
  private readonly freeSegments: number[] = [];
  /** The segments in use, oldest first (a cleaned segment's records go to the newest, the tail). */
  private readonly byAge: number[] = [];
  /** The segment records are appended to (-1: none yet). */
  private tail = -1;
  /** The segments' bytes, room to grow included. */
  private segmentsBytes = 0;
  /** Per slot: EMPTY, DELETED, or a record's reference (segment · 2^20 + offset + 1). */
  private slots: Uint32Array;
  /**
   * Per slot holding a record: 8 bits of its names' hash (tagOf). A probe
   * reads a record's names in its segment only when the tags agree: one
   * random read of memory per probe was most of a lookup, and most lookups
   * at Taba's full shape miss (a state not held, asked before it is
   * fetched), probing several occupied slots each.
   */
  private tags: Uint8Array;
  private live = 0;
  private tombstones = 0;
  /** Where a walk stands (a slot index). */
  private cursor = 0;
  private readonly tabs = new NameTable();
  private readonly clients = new NameTable();
  /** A segment is being cleaned: a tail filled meanwhile is not cleaned from within. */
  private cleaning = false;
  /** Bytes of live records moved by cleanings, in all (for tests: the work is bounded per call). */
  movedBytes = 0;

  constructor(
    initialSlots = MIN_SLOTS,
    /** A new segment's first size (it grows by a quarter as it fills). */
    private readonly initialBytes = MIN_SEGMENT_BYTES,
    /** A segment's full size: what one cleaning moves at most. */
    private readonly segmentBytes = SEGMENT_BYTES,
  ) {
    if (!(segmentBytes <= MAX_SEGMENT_BYTES && initialBytes <= segmentBytes)) throw new RangeError(`a segment is ${initialBytes}-${segmentBytes} bytes, at most ${MAX_SEGMENT_BYTES}`);
    this.slots = new Uint32Array(initialSlots);
    this.tags = new Uint8Array(initialSlots);
  }

  get size(): number {
    return this.live;
  }

  /** What it holds in memory, bytes: the segments (garbage and room to grow included), the table and the names. */
  get memoryBytes(): number {
    return this.segmentsBytes + this.slots.byteLength + this.tags.byteLength + this.tabs.memoryBytes + this.clients.memoryBytes;
  }

  has(key: string): boolean {
    return this.findKey(key) >= 0;
  }

  /** A copy of the value (in the shared slab of stored copies: never a view on a segment, which goes), or undefined. */
  get(key: string): Uint8Array | undefined {
    const slot = this.findKey(key);
    return slot < 0 ? undefined : this.copyOf(this.slots[slot]!);
  }

  /** As has(), by the Tab's and client's names (no key to split). */
  holds(tab: string, client: string): boolean {
    return this.findNamed(tab, client) >= 0;
  }

  /** As get() then delete(), by the Tab's and client's names: one lookup. */
  take(tab: string, client: string): Uint8Array | undefined {
    const slot = this.findNamed(tab, client);
    if (slot < 0) return undefined;
    const copy = this.copyOf(this.slots[slot]!);
    this.removeAt(slot);
    return copy;
  }

  /** Keeps a copy of the value. */
  set(key: string, value: Uint8Array): void {
    const at = key.indexOf('\u0000');
    if (at < 0) throw new TypeError(`a frozen state's key is <tab>\\0<client>, got '${key}'`);
    this.put(key.slice(0, at), key.slice(at + 1), value);
  }

  /** As set(), by the Tab's and client's names (no key to make or split). */
  put(tabName: string, clientName: string, value: Uint8Array): void {
    const tab = this.tabs.intern(tabName);
    const client = this.clients.intern(clientName);
    let ref: number;
    try {
      ref = this.append(tab, client, value);
    } catch (err) {
      // Not stored (no segment left): the names are not held by it.
      this.tabs.release(tab);
      this.clients.release(client);
      throw err;
    }
    const hash = hashOf(tab, client);
    const found = this.find(tab, client, hash);
    if (found >= 0) {
      const old = this.slots[found]!;
      this.slots[found] = ref;
      // The record it replaces held the same names: they are held once, by the new one.
      this.tabs.release(tab);
      this.clients.release(client);
      this.discard(old);
      return;
    }
    // Over half full of live entries: a table half as large again; else (mostly deleted ones, churn) the same size, cleared.
    if ((this.live + this.tombstones + 1) * LOAD_DENOMINATOR > this.slots.length * LOAD_NUMERATOR) {
      this.rehash((this.live + 1) * 2 > this.slots.length ? Math.ceil(this.slots.length * GROWTH) : this.slots.length);
    }
    this.insert(hash, ref);
    this.live++;
  }

  delete(key: string): boolean {
    const slot = this.findKey(key);
    if (slot < 0) return false;
    this.removeAt(slot);
    return true;
  }

  /**
   * Goes on with the walk over up to `count` live entries (it stops at the
   * end of a lap: the next call starts a new one), calling `visit` with each
   * one's Tab and client names and a view of its value (its bytes never
   * change, but the segment goes when cleaned); an entry it returns true for
   * is deleted. Makes no object per entry beside the view: for walks over
   * many entries, as pruning's.
   */
  sweep(count: number, visit: (tab: string, client: string, value: Uint8Array) => boolean): void {
    for (let visited = 0; visited < count; visited++) {
      const slot = this.nextLiveSlot();
      if (slot < 0) return;
      const ref = this.slots[slot]!;
      const segment = this.segments[segmentOf(ref)]!;
      const tab = this.tabs.nameOf(readVaruint(segment, offsetOf(ref)));
      const client = this.clients.nameOf(readVaruint(segment, readEnd));
      if (visit(tab, client, this.valueAt(ref))) this.removeAt(slot);
    }
  }

  /**
   * Visits every live entry, its Tab's and client's names and its value's
   * length, leaving the walk where it stands (for a description of what the
   * arena holds, not for the hot path: it reads every record).
   */
  forEachSize(visit: (tab: string, client: string, valueBytes: number) => void): void {
    for (let slot = 0; slot < this.slots.length; slot++) {
      const ref = this.slots[slot]!;
      if (ref === EMPTY || ref === DELETED) continue;
      const segment = this.segments[segmentOf(ref)]!;
      const tab = this.tabs.nameOf(readVaruint(segment, offsetOf(ref)));
      const client = this.clients.nameOf(readVaruint(segment, readEnd));
      visit(tab, client, valueLength(segment, offsetOf(ref)));
    }
  }

  /** The walk's next slot holding a record, or -1 at the end of a lap (the next call starts a new one). */
  private nextLiveSlot(): number {
    while (this.cursor < this.slots.length) {
      const slot = this.cursor++;
      const ref = this.slots[slot]!;
      if (ref !== EMPTY && ref !== DELETED) return slot;
    }
    this.cursor = 0;
    return -1;
  }

  /**
   * Deletes every state in the oldest segment (the states frozen longest ago
   * and not thawed since, and the ones a cleaning moved with them) and drops
   * the segment: the memory goes whole, with nothing to move. Returns how many
   * states went, or -1 when it holds no segment.
   *
   * Eviction goes by age, not along the table: a walk in slot order deleted
   * states whose hashes lie together, so the states left crowded the part of
   * the table it had not reached yet, and new ones filled it; linear probes
   * there ran for tens of thousands of slots (a taba-full worker's loop stood
   * still for 2-5 s in cleanings' lookups), while the table as a whole was
   * within its load.
   */
  evictOldest(): number {
    const s = this.byAge[0];
    if (s === undefined) return -1;
    if (s === this.tail) this.tail = -1;
    let removed = 0;
    this.forEachLive(s, (slot) => {
      this.unlink(slot);
      removed++;
    });
    this.drop(s);
    return removed;
  }

  /**
   * Gives memory back after many removals (other segments are cleaned as
   * they empty): the tail too, its live records moved to a new tail sized
   * for them; and the table, when it is mostly empty.
   */
  shrink(): void {
    const t = this.tail;
    if (t >= 0 && this.garbage[t]! * CLEAN_SHARE > this.used[t]!) {
      this.tail = -1;
      this.clean(t);
    }
    if (this.slots.length > MIN_SLOTS && this.live * 8 < this.slots.length) this.rehash(Math.max(MIN_SLOTS, this.live * 2));
  }

  private removeAt(slot: number): void {
    const ref = this.slots[slot]!;
    if (ref === EMPTY || ref === DELETED) return;
    this.discard(this.unlink(slot));
  }

  /** Takes the live record in `slot` out of the table and lets its names go; returns its reference (its bytes are garbage now). */
  private unlink(slot: number): number {
    const ref = this.slots[slot]!;
    this.slots[slot] = DELETED;
    this.live--;
    this.tombstones++;
    const segment = this.segments[segmentOf(ref)]!;
    const offset = offsetOf(ref);
    this.tabs.release(readVaruint(segment, offset));
    this.clients.release(readVaruint(segment, readEnd));
    return ref;
  }

  /** The record no slot points to any more is garbage: its segment is cleaned once over a third garbage. */
  private discard(ref: number): void {
    const s = segmentOf(ref);
    this.garbage[s]! += recordLength(this.segments[s]!, offsetOf(ref));
    if (s !== this.tail && !this.cleaning && this.garbage[s]! * CLEAN_SHARE > this.used[s]!) this.clean(s);
  }

  /** Moves the segment's live records to the end and drops it. */
  private clean(s: number): void {
    const segment = this.segments[s]!;
    this.cleaning = true;
    try {
      this.forEachLive(s, (slot, offset, length) => {
        this.slots[slot] = this.appendRaw(segment, offset, length);
        this.movedBytes += length;
      });
    } finally {
      this.cleaning = false;
    }
    this.drop(s);
  }

  /** Calls `visit` with the slot, offset and length of each live record of segment `s`, in the order they were written. */
  private forEachLive(s: number, visit: (slot: number, offset: number, length: number) => void): void {
    const segment = this.segments[s]!;
    const end = this.used[s]!;
    // The walk ends when the live bytes are all met (at once when none are).
    let live = end - this.garbage[s]!;
    for (let offset = 0; live > 0 && offset < end; ) {
      const length = recordLength(segment, offset);
      const slot = this.slotOf(segment, offset, refOf(s, offset));
      if (slot >= 0) {
        visit(slot, offset, length);
        live -= length;
      }
      offset += length;
    }
  }

  /** The slot pointing to the record at `offset` (its reference `ref`), or -1: it is garbage. */
  private slotOf(segment: Buffer, offset: number, ref: number): number {
    const tab = readVaruint(segment, offset);
    const client = readVaruint(segment, readEnd);
    const { length } = this.slots;
    for (let slot = homeOf(hashOf(tab, client), length); ; slot = slot + 1 === length ? 0 : slot + 1) {
      const at = this.slots[slot]!;
      if (at === EMPTY) return -1;
      if (at === ref) return slot;
    }
  }

  private drop(s: number): void {
    this.segmentsBytes -= this.segments[s]!.byteLength;
    this.segments[s] = undefined;
    this.used[s] = 0;
    this.garbage[s] = 0;
    this.freeSegments.push(s);
    this.byAge.splice(this.byAge.indexOf(s), 1);
    if (s === this.tail) this.tail = -1;
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
    const { length } = this.slots;
    const tag = tagOf(hash);
    for (let slot = homeOf(hash, length); ; slot = slot + 1 === length ? 0 : slot + 1) {
      const ref = this.slots[slot]!;
      if (ref === EMPTY) return -1;
      if (ref === DELETED || this.tags[slot] !== tag) continue;
      const segment = this.segments[segmentOf(ref)]!;
      if (readVaruint(segment, offsetOf(ref)) === tab && readVaruint(segment, readEnd) === client) return slot;
    }
  }

  private insert(hash: number, ref: number): void {
    const { length } = this.slots;
    let slot = homeOf(hash, length);
    while (this.slots[slot] !== EMPTY && this.slots[slot] !== DELETED) slot = slot + 1 === length ? 0 : slot + 1;
    if (this.slots[slot] === DELETED) this.tombstones--;
    this.slots[slot] = ref;
    this.tags[slot] = tagOf(hash);
  }

  /** A table of `length` slots holding the live records again; no hashes are kept, so each is read back. */
  private rehash(length: number): void {
    const { slots } = this;
    this.slots = new Uint32Array(length);
    this.tags = new Uint8Array(length);
    this.tombstones = 0;
    for (let i = 0; i < slots.length; i++) {
      const ref = slots[i]!;
      if (ref === EMPTY || ref === DELETED) continue;
      const segment = this.segments[segmentOf(ref)]!;
      const tab = readVaruint(segment, offsetOf(ref));
      this.insert(hashOf(tab, readVaruint(segment, readEnd)), ref);
    }
    this.cursor = 0;
  }

  /** Writes a record at the end; its reference. */
  private append(tab: number, client: number, value: Uint8Array): number {
    const s = this.roomFor(MAX_HEADER_BYTES + value.length);
    const segment = this.segments[s]!;
    const at = this.used[s]!;
    let end = writeVaruint(segment, at, tab);
    end = writeVaruint(segment, end, client);
    end = writeVaruint(segment, end, value.length);
    segment.set(value, end);
    this.used[s] = end + value.length;
    return refOf(s, at);
  }

  /** Copies a record as it is (a cleaning's) to the end; its new reference. */
  private appendRaw(from: Buffer, offset: number, length: number): number {
    const s = this.roomFor(length);
    const at = this.used[s]!;
    from.copy(this.segments[s]!, at, offset, offset + length);
    this.used[s] = at + length;
    return refOf(s, at);
  }

  /**
   * The segment `length` more bytes go into: the tail, grown by a quarter (one copy of
   * its bytes: references hold) while under the segment size; when it is
   * full, a new tail (the full one cleaned first if over a third garbage:
   * its live records go ahead into the new tail); a segment of its own for
   * a record longer than a segment.
   */
  private roomFor(length: number): number {
    if (length > this.segmentBytes) return this.newSegment(length);
    for (;;) {
      const t = this.tail;
      if (t < 0) {
        this.tail = this.newSegment(this.grownTo(this.initialBytes, length));
        return this.tail;
      }
      const segment = this.segments[t]!;
      const need = this.used[t]! + length;
      if (need <= segment.byteLength) return t;
      if (need <= this.segmentBytes) {
        const grown = Buffer.allocUnsafe(this.grownTo(segment.byteLength, need));
        segment.copy(grown, 0, 0, this.used[t]);
        this.segments[t] = grown;
        this.segmentsBytes += grown.byteLength - segment.byteLength;
        return t;
      }
      // Full: no longer the tail (a cleaning under way leaves it for later), and round again.
      this.tail = -1;
      if (!this.cleaning && this.garbage[t]! * CLEAN_SHARE > this.used[t]!) this.clean(t);
    }
  }

  /** `bytes` grown by a quarter (TAIL_GROWTH) until it holds `need`, at most a segment. */
  private grownTo(bytes: number, need: number): number {
    let size = bytes;
    while (size < need) size = Math.ceil(size * TAIL_GROWTH);
    return Math.min(size, this.segmentBytes);
  }

  private newSegment(bytes: number): number {
    const s = this.freeSegments.pop() ?? this.segments.length;
    if (s > MAX_SEGMENT) throw new RangeError(`a task's frozen states outgrew ${MAX_SEGMENT + 1} segments`);
    this.segments[s] = Buffer.allocUnsafe(bytes);
    this.used[s] = 0;
    this.garbage[s] = 0;
    this.segmentsBytes += bytes;
    this.byAge.push(s);
    return s;
  }

  private copyOf(ref: number): Uint8Array {
    const segment = this.segments[segmentOf(ref)]!;
    const length = valueLength(segment, offsetOf(ref));
    return storedCopies.copy(segment.subarray(readEnd, readEnd + length));
  }

  /** A view of the value in its segment. */
  private valueAt(ref: number): Uint8Array {
    const segment = this.segments[segmentOf(ref)]!;
    const length = valueLength(segment, offsetOf(ref));
    return segment.subarray(readEnd, readEnd + length);
  }
}

/** An arena's smallest table and first segment: a task holding few frozen states costs ~4.4 KiB. */
const MIN_SLOTS = 64;
const MIN_SEGMENT_BYTES = 4096;
/** What one cleaning moves at most (~10,000 states of Taba's shape: about a millisecond). */
const SEGMENT_BYTES = 1 << 20;
/** A reference is segment · 2^20 + offset + 1 in 32 bits: offsets below 2^20, segments below 4095 (4 GiB of full ones). */
const OFFSET_BITS = 20;
const MAX_SEGMENT_BYTES = 1 << OFFSET_BITS;
const MAX_SEGMENT = 4094;
const EMPTY = 0;
const DELETED = 0xffff_ffff;
/**
 * The table grows past 3/4 full (live and deleted slots). The tags keep a
 * long probe cheap (a byte compared per slot, not a segment read), so the
 * table runs fuller than the 5/8 it had without them.
 */
const LOAD_NUMERATOR = 6;
const LOAD_DENOMINATOR = 8;
/**
 * The table grows by half, not double: just past a growth, a state's share
 * of the table (5 B a slot) is 10 B, not 13.3 (at 3/8 full). The tail segment
 * grows by a quarter: its room to grow is at most a quarter of its bytes
 * again, not as many. Both are room a frozen gauge (16 stored bytes, ~20 in
 * its record) pays for: with both, it stays within twice its stored size from
 * 50,000 states on (31.4 B at worst, 34.9 when both doubled). The table is
 * rehashed about twice as often in all, each time no larger; a tail is copied
 * ~5 MiB in all on its way to a full segment, not 2.
 */
const GROWTH = 1.5;
const TAIL_GROWTH = 1.25;
/** A segment more than 1/CLEAN_SHARE garbage is cleaned. */
const CLEAN_SHARE = 3;
/** Three varuints of numbers and a length below 2^35. */
const MAX_HEADER_BYTES = 15;

function refOf(segment: number, offset: number): number {
  return segment * MAX_SEGMENT_BYTES + offset + 1;
}

function segmentOf(ref: number): number {
  return Math.floor((ref - 1) / MAX_SEGMENT_BYTES);
}

function offsetOf(ref: number): number {
  return (ref - 1) % MAX_SEGMENT_BYTES;
}

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

function writeVaruint(a: Buffer, at: number, value: number): number {
  while (value >= 0x80) {
    a[at++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  a[at++] = value;
  return at;
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

/** A slot's tag: the hash's low 8 bits (its high bits pick the slot, so they mostly agree along a probe). */
function tagOf(hash: number): number {
  return hash & 0xff;
}

/**
 * The slot a hash starts its probe at in a table of `length` slots (any
 * length, not only powers of two): the hash scaled to the table (Lemire's
 * fast range), by its high bits. The product is a double: its rounding is far
 * below one slot, and the same for the same hash.
 */
function homeOf(hash: number, length: number): number {
  return ((hash * length) / 4294967296) | 0;
}
