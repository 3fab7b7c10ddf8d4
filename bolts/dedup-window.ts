// The per-partition window of recently seen event ids that catches resends
// (same id, new offset: a client retried after a crash). Ids are grouped in
// buckets of event time so the window expires, is persisted and reloaded by
// whole buckets.
//
// - A bucket is live while it overlaps the last `windowMs` of the partition's
//   latest event time; older buckets expire as that time advances.
// - Memory is bounded by `maxIds`: past it, the oldest buckets go early (the
//   window shrinks) and `evictions` counts the ids dropped that way.
// - An id whose time is older than the oldest live bucket can no longer be
//   checked: it is let through (a possible resend folds again rather than a
//   late event being lost) and counted in `unchecked`. So is an id that finds
//   the window full with only its own bucket left.
export interface DedupWindowOptions {
  /** How much event time the window covers; default 10 minutes. */
  windowMs?: number;
  /** Bucket size; must divide windowMs; default 1 minute. */
  bucketMs?: number;
  /** Most ids held at once; default 1,000,000. */
  maxIds?: number;
}

export class DedupWindow {
  readonly windowMs: number;
  readonly bucketMs: number;
  readonly maxIds: number;
  /** Ids dropped early to stay within maxIds. */
  evictions = 0;
  /** Ids let through without a check (older than the window, or the window full). */
  unchecked = 0;

  /** id -> start of the bucket it was recorded in. */
  private readonly ids = new Map<string, number>();
  private readonly buckets = new Map<number, string[]>();
  private added = new Map<number, string[]>();
  /** Buckets starting before this are gone (expired or evicted). */
  private floor = -Infinity;

  constructor(options: DedupWindowOptions = {}) {
    this.windowMs = options.windowMs ?? 10 * 60_000;
    this.bucketMs = options.bucketMs ?? 60_000;
    this.maxIds = options.maxIds ?? 1_000_000;
    if (!(this.bucketMs > 0) || this.windowMs % this.bucketMs !== 0 || this.windowMs < this.bucketMs) {
      throw new RangeError('dedup window: bucketMs must be positive and divide windowMs');
    }
    if (!(this.maxIds >= 1)) throw new RangeError('dedup window: maxIds must be at least 1');
  }

  get size(): number {
    return this.ids.size;
  }

  /** True: the id was seen within the window, a resend to drop. False: it is recorded now (or could not be checked). */
  seen(id: string, time: number): boolean {
    if (this.ids.has(id)) return true;
    const start = this.bucketStart(time);
    this.advanceTo(start);
    if (start < this.floor) {
      this.unchecked++;
      return false;
    }
    if (this.ids.size >= this.maxIds && !this.evictFor(start)) {
      this.unchecked++;
      return false;
    }
    this.record(start, id);
    let pending = this.added.get(start);
    if (pending === undefined) this.added.set(start, (pending = []));
    pending.push(id);
    return false;
  }

  /** The ids recorded since the last call, by bucket start (epoch ms), for the checkpoint. */
  takeAdded(): Map<number, string[]> {
    const out = this.added;
    this.added = new Map();
    for (const start of out.keys()) if (start < this.floor) out.delete(start);
    return out;
  }

  /** Reloads a persisted bucket (on takeover). Loaded ids are not reported by takeAdded. */
  load(bucketStart: number, ids: Iterable<string>): void {
    const start = this.bucketStart(bucketStart);
    this.advanceTo(start);
    if (start < this.floor) return;
    for (const id of ids) {
      if (this.ids.has(id)) continue;
      if (this.ids.size >= this.maxIds && !this.evictFor(start)) {
        this.unchecked++;
        continue;
      }
      this.record(start, id);
    }
  }

  /** Starts of the buckets that hold ids, oldest first. */
  liveBuckets(): number[] {
    return [...this.buckets.keys()].sort((a, b) => a - b);
  }

  /** Start of the oldest bucket still in the window: persisted buckets older than this may be dropped. */
  expireBefore(): number {
    return this.floor === -Infinity ? 0 : this.floor;
  }

  private bucketStart(time: number): number {
    return Math.floor(time / this.bucketMs) * this.bucketMs;
  }

  /** Moves the window forward so it ends with the bucket at `start`, dropping what falls out. */
  private advanceTo(start: number): void {
    const floor = start - this.windowMs + this.bucketMs;
    if (floor <= this.floor) return;
    this.floor = floor;
    for (const bucket of this.buckets.keys()) if (bucket < floor) this.drop(bucket);
  }

  /** Evicts the oldest buckets (never `keep`) until there is room; false if there is none. */
  private evictFor(keep: number): boolean {
    for (const bucket of this.liveBuckets()) {
      if (this.ids.size < this.maxIds) break;
      if (bucket >= keep) break;
      this.evictions += this.drop(bucket);
      this.floor = bucket + this.bucketMs;
    }
    return this.ids.size < this.maxIds;
  }

  private record(start: number, id: string): void {
    this.ids.set(id, start);
    let list = this.buckets.get(start);
    if (list === undefined) this.buckets.set(start, (list = []));
    list.push(id);
  }

  private drop(bucket: number): number {
    const list = this.buckets.get(bucket) ?? [];
    for (const id of list) if (this.ids.get(id) === bucket) this.ids.delete(id);
    this.buckets.delete(bucket);
    return list.length;
  }
}
