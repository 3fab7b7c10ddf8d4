// One sign's bins of a quantile sketch held dense, as DDSketch's dense
// store holds them: a run of counts indexed by key from `offset`, at 1 B a
// key while every count fits 8 bits (then 2, 4, 8: widened as a count
// outgrows its width). A sketch whose bins are many and close together (a
// Tab record's latencies: ~180 of 2 % over a 40x range) takes 1-2 B a key so,
// where its (key, count) pairs as a JavaScript array took 16 B a bin and
// room to grow: percentile Tab records were held at 9x their stored size.
// Adding to a bin is an index, not a search and a walk over the bins.
//
// It never collapses: the sketch (quantile-sketch.ts) asks suitsDense first
// and holds the bins as pairs when a key would take a run past MAX_BINS keys
// (where the lowest collapse) or leave the runs mostly empty.
import type { ByteWriter } from '../codec/byte-writer';
import { MAX_BINS } from './quantile-bin-limit';

type Counts = Uint8Array | Uint16Array | Uint32Array | Float64Array;

/**
 * Keys of room a run takes on the side it grows: ROOM at least, an eighth
 * of its span for a wide one, so a run that keeps growing copies its counts
 * a few times, not once per new key (a Tab record's new buckets grow key by
 * key as values come).
 */
const ROOM = 8;

/** Most keys the runs may span per bin they hold (beside SPARE_KEYS): fewer bins than that are held as pairs (16 B a bin). */
const KEYS_PER_BIN = 4;
const SPARE_KEYS = 32;

/**
 * Whether a sketch's bins, `positive` of them from key `positiveLo` to
 * `positiveHi` and `negative` from `negativeLo` to `negativeHi` (0 bins:
 * none of that sign), are worth holding dense: no collapse due (a sign
 * spans at most MAX_BINS keys), and the runs not mostly empty (both signs
 * together: a few negative values far apart cost little beside many
 * positive ones close together).
 */
export function suitsDense(positive: number, positiveLo: number, positiveHi: number, negative: number, negativeLo: number, negativeHi: number): boolean {
  const positiveKeys = positive === 0 ? 0 : positiveHi - positiveLo + 1;
  const negativeKeys = negative === 0 ? 0 : negativeHi - negativeLo + 1;
  return positiveKeys <= MAX_BINS && negativeKeys <= MAX_BINS && positiveKeys + negativeKeys <= KEYS_PER_BIN * (positive + negative) + SPARE_KEYS;
}

export class DenseBins {
  private constructor(
    /** The key of counts[0]. */
    private offset: number,
    private counts: Counts,
    /** The lowest and highest keys with a count. */
    public lo: number,
    public hi: number,
    /** Keys with a count. */
    public filled: number,
  ) {}

  /** The (key, count) pairs of `pairs` in [from, to) (ascending keys, every count > 0), dense; null when there are none. */
  static of(pairs: ArrayLike<number>, from: number, to: number): DenseBins | null {
    if (from >= to) return null;
    const lo = pairs[from]!;
    const hi = pairs[to - 2]!;
    let most = 0;
    for (let i = from + 1; i < to; i += 2) if (pairs[i]! > most) most = pairs[i]!;
    const counts = countsFor(most, hi - lo + 1 + 2 * ROOM);
    const offset = lo - ROOM;
    for (let i = from; i < to; i += 2) counts[pairs[i]! - offset] = pairs[i + 1]!;
    return new DenseBins(offset, counts, lo, hi, (to - from) / 2);
  }

  /** Adds `count` (> 0) to bin `key`; the caller made sure the run suits it (suitsDense). */
  add(key: number, count: number): void {
    let index = key - this.offset;
    if (index < 0 || index >= this.counts.length) index = this.grow(key);
    const was = this.counts[index]!;
    const now = was + count;
    if (now > maxCount(this.counts)) this.counts = widened(this.counts, now);
    this.counts[index] = now;
    if (was === 0) {
      this.filled++;
      if (key < this.lo) this.lo = key;
      if (key > this.hi) this.hi = key;
    }
  }

  /** Adds every bin of `source`. */
  addAll(source: DenseBins): void {
    const { counts, offset } = source;
    for (let i = source.lo - offset, end = source.hi - offset; i <= end; i++) {
      const count = counts[i]!;
      if (count !== 0) this.add(offset + i, count);
    }
  }

  clone(): DenseBins {
    return new DenseBins(this.offset, this.counts.slice(), this.lo, this.hi, this.filled);
  }

  /** Its bins as (key, count) pairs by ascending key into `out` from `at`; returns where they end. */
  pairsInto(out: number[] | Float64Array, at: number): number {
    const { counts, offset } = this;
    for (let i = this.lo - offset, end = this.hi - offset; i <= end; i++) {
      const count = counts[i]!;
      if (count === 0) continue;
      out[at++] = offset + i;
      out[at++] = count;
    }
    return at;
  }

  /** As quantile-sketch.ts writes a sign's pairs: how many, the first key and count, then (gap, count) per bin. */
  write(writer: ByteWriter): void {
    const from = this.lo - this.offset;
    writer.varuint(this.filled).varint(this.lo).varuint(this.counts[from]!);
    writer.runGapsAndCounts(this.counts, from, this.hi - this.offset + 1);
  }

  /** Room for `key`, with keys to spare on the side it grows (see ROOM); returns its index. */
  private grow(key: number): number {
    const room = Math.max(ROOM, (this.hi - this.lo) >> 3);
    const lo = Math.min(key, this.lo) - (key < this.lo ? room : 0);
    const hi = Math.max(key, this.hi) + (key > this.hi ? room : 0);
    const start = Math.min(lo, this.offset);
    const end = Math.max(hi + 1, this.offset + this.counts.length);
    const counts = new (this.counts.constructor as new (n: number) => Counts)(end - start);
    counts.set(this.counts, this.offset - start);
    this.counts = counts;
    this.offset = start;
    return key - start;
  }
}

function countsFor(most: number, length: number): Counts {
  if (most <= 0xff) return new Uint8Array(length);
  return most <= 0xffff ? new Uint16Array(length) : most <= 0xffffffff ? new Uint32Array(length) : new Float64Array(length);
}

function maxCount(counts: Counts): number {
  return 2 ** (8 * counts.BYTES_PER_ELEMENT) - 1;
}

/** The counts, wide enough for `most`. */
function widened(counts: Counts, most: number): Counts {
  const out = countsFor(most, counts.length);
  out.set(counts);
  return out;
}
