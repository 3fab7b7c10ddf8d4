// A DDSketch (Masson, Rim & Lee, VLDB 2019): values are counted in
// logarithmic bins, so every quantile it returns is within RELATIVE_ACCURACY
// (1 %) of the exact one, and two sketches merge by adding bins, which makes
// merging associative, commutative and equal to sketching the union.
//
// The value-to-bin mapping is @datadog/sketches-js's LogarithmicMapping. Its
// bin stores are not used: its DDSketch.merge (2.1.1) drops the negative
// values, and its serialization needs protobufjs and loses min, max and sum.
// So bins live here as plain data, serializable and cloneable.
import { DDSketch } from '@datadog/sketches-js';
import { ByteReader } from '../codec/byte-reader';
import type { ByteWriter } from '../codec/byte-writer';
import { DenseBins, suitsDense } from './dense-bins';
import { MAX_BINS } from './quantile-bin-limit';

export const RELATIVE_ACCURACY = 0.01;
export { MAX_BINS };

const mapping = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY }).mapping;
/** Magnitudes at or below this are counted as zero (about 1e-308). */
const SMALLEST_MAGNITUDE = mapping.minPossible;

// A sketch is one flat array of numbers, exactly as long as it needs:
//   [count, zeros, sum, min, max, P, P (key, count) pairs of the positive
//    magnitudes by ascending key, then the negative magnitudes' pairs]
// Only bins that hold a count are kept (values far apart no longer cost the
// bins between them), and a state of many sketches is as many arrays of
// unboxed numbers: nothing inside for the collector to trace, one allocation
// to read one back. Adding a value to a bin it already has changes the array
// in place; a new bin makes a new array, so the functions that can add one
// return the sketch to keep.
//
// A sketch of many bins close together is held dense instead (DenseQuantile:
// a run of counts per sign, see dense-bins.ts), at 1-2 B a key where pairs
// take 16 B a bin: from DENSE_MIN_BINS bins on, when both signs' bins suit
// it, and as pairs again when a value would not fit the run (a collapse
// due, or the run mostly empty). Both forms write the same bytes. A sketch
// goes dense when a merge or a read finds it so, not as values are added
// one by one: a fold run's sketch of a message's values (merged into a
// state's buckets, then dropped) stays pairs, where making it dense cost a
// typed array per run and a copy of it into each new bucket.
//
// A window's closed bucket is held as its stored bytes (CodedQuantile, see
// writeSketchHeld and readSketchHeld): its first change decodes it.
export type QuantileSketch = number[] | DenseQuantile | CodedQuantile;

/** A sketch with its bins dense: the same head as the flat array's, each sign's bins a DenseBins (null: none). */
export class DenseQuantile {
  constructor(
    public count: number,
    public zeros: number,
    public sum: number,
    public min: number,
    public max: number,
    public positive: DenseBins | null,
    public negative: DenseBins | null,
  ) {}

  clone(): DenseQuantile {
    return new DenseQuantile(this.count, this.zeros, this.sum, this.min, this.max, this.positive?.clone() ?? null, this.negative?.clone() ?? null);
  }
}

/**
 * A sketch held as the bytes writeSketch writes for it, with its count at
 * hand: what a window's closed bucket (older than its newest, reached
 * by late events only) is held as once read or written. Its bytes are
 * copied out at a write, where a closed bucket's bins were written again at
 * every checkpoint; they take ~1-2 B a bin, where its bins took 1-2 B a key
 * beside a DenseBins and a typed array (dense), or 16 B a bin (pairs). The
 * functions that change a sketch or walk its bins decode it first (plainOf),
 * into a new sketch of its own: the coded one is never changed.
 */
export class CodedQuantile {
  constructor(
    readonly bytes: Uint8Array,
    readonly count: number,
  ) {}
}

/** The sketch a coded one holds, decoded (a new one of its own); any other as it is. */
function plainOf(sketch: QuantileSketch): number[] | DenseQuantile {
  return sketch instanceof CodedQuantile ? readSketch(new ByteReader(sketch.bytes, 'quantile sketch')) as number[] | DenseQuantile : sketch;
}

/**
 * Bins a sketch has before it is held dense. Below ~24, pairs take less
 * (a dense sketch's objects and typed array cost ~300 B before its
 * counts); up to 64 the pairs cost a few hundred bytes more, but a client
 * state's bucket, which one message's values (50 at Taba's shape) fill and
 * the state then rests (its bytes kept, its objects let go), stays pairs: at
 * 24, making such buckets dense, one typed array each, took ~1.3 % of a
 * worker at Taba's full shape (profiled taba-full).
 */
export const DENSE_MIN_BINS = 64;

const COUNT = 0;
const ZEROS = 1;
const SUM = 2;
const MIN = 3;
const MAX = 4;
/** How many (key, count) pairs the positive magnitudes have. */
const POSITIVE_BINS = 5;
const HEAD = 6;

export function newSketch(): QuantileSketch {
  return [0, 0, 0, Infinity, -Infinity, 0];
}

export const sketchCount = (sketch: QuantileSketch): number => (Array.isArray(sketch) ? sketch[COUNT]! : sketch.count);
/** The sum of its values (a coded sketch's read from its bytes). */
export function sketchSum(sketch: QuantileSketch): number {
  if (Array.isArray(sketch)) return sketch[SUM]!;
  return sketch instanceof DenseQuantile ? sketch.sum : sketchSum(plainOf(sketch));
}

/** Where the positive pairs end and the negative ones begin. */
const positiveEnd = (sketch: number[]) => HEAD + 2 * sketch[POSITIVE_BINS]!;

// A windowed percentile adds each value to a sketch per window: the bin key
// (a logarithm) is computed once and remembered for the next few adds.
let lastMagnitude = Number.NaN;
let lastKey = 0;

function keyOf(magnitude: number): number {
  if (magnitude !== lastMagnitude) {
    lastKey = mapping.key(magnitude);
    lastMagnitude = magnitude;
  }
  return lastKey;
}

/** Adds a value; returns the sketch, a new array when the value needed a new bin. */
export function sketchAdd(sketch: QuantileSketch, value: number): QuantileSketch {
  if (sketch instanceof CodedQuantile) sketch = plainOf(sketch);
  if (sketch instanceof DenseQuantile) {
    if (addDense(sketch, value)) return sketch;
    sketch = pairsOf(sketch);
  }
  if (value > SMALLEST_MAGNITUDE) sketch = addToBin(sketch, true, keyOf(value), 1);
  else if (value < -SMALLEST_MAGNITUDE) sketch = addToBin(sketch, false, keyOf(-value), 1);
  else sketch[ZEROS]++;
  sketch[COUNT]++;
  sketch[SUM] += value;
  if (value < sketch[MIN]) sketch[MIN] = value;
  if (value > sketch[MAX]) sketch[MAX] = value;
  return sketch;
}

/** Adds a value to a dense sketch; false (nothing changed) when its bin does not fit the run. */
function addDense(sketch: DenseQuantile, value: number): boolean {
  if (value > SMALLEST_MAGNITUDE || value < -SMALLEST_MAGNITUDE) {
    const positive = value > 0;
    const key = keyOf(positive ? value : -value);
    const bins = positive ? sketch.positive : sketch.negative;
    if (!(positive ? takesDense(sketch, 1, key, key, 0, 0, 0) : takesDense(sketch, 0, 0, 0, 1, key, key))) return false;
    if (bins !== null) {
      bins.add(key, 1);
    } else {
      single[0] = key;
      single[1] = 1;
      if (positive) sketch.positive = DenseBins.of(single, 0, 2);
      else sketch.negative = DenseBins.of(single, 0, 2);
    }
  } else {
    sketch.zeros++;
  }
  sketch.count++;
  sketch.sum += value;
  if (value < sketch.min) sketch.min = value;
  if (value > sketch.max) sketch.max = value;
  return true;
}

/**
 * Adds `source` into `target`; returns the target (a copy of the source when
 * the target is empty). Bins the target lacks are merged in place, from the
 * back, in room the array grows by: a new array per merge (as a collapse
 * still makes) was a sixth of a fold task's allocations on Taba's shape,
 * where every run merges into each window's newest bucket of a state and its
 * Tab record.
 */
export function sketchMergeInto(target: QuantileSketch, source: QuantileSketch): QuantileSketch {
  if (sketchCount(source) === 0) return target;
  if (sketchCount(target) === 0) return sketchClone(source);
  if (target instanceof CodedQuantile) target = plainOf(target);
  if (source instanceof CodedQuantile) source = plainOf(source);
  if (target instanceof DenseQuantile) {
    if (mergeDense(target, source)) return target;
    target = pairsOf(target);
  }
  if (source instanceof DenseQuantile) source = pairsOf(source);
  const length = target.length;
  const merged = mergePairs(target, source);
  return merged.length > length || merged !== target ? denseIfSuited(merged) : merged;
}

/** A copy of the sketch, of its own (a coded one's decoded). */
export function sketchClone(sketch: QuantileSketch): QuantileSketch {
  return sketch instanceof CodedQuantile ? plainOf(sketch) : sketch instanceof DenseQuantile ? sketch.clone() : sketch.slice();
}

/** Merges `source` into a dense target; false (nothing changed) when a sign's bins would not fit its run. */
function mergeDense(target: DenseQuantile, source: number[] | DenseQuantile): boolean {
  if (source instanceof DenseQuantile) {
    const { positive, negative } = source;
    if (!takesDense(target, positive?.filled ?? 0, positive?.lo ?? 0, positive?.hi ?? 0, negative?.filled ?? 0, negative?.lo ?? 0, negative?.hi ?? 0)) return false;
    target.positive = mergeDenseBins(target.positive, source.positive);
    target.negative = mergeDenseBins(target.negative, source.negative);
  } else {
    const split = positiveEnd(source);
    const end = source.length;
    if (!takesDense(target, (split - HEAD) / 2, source[HEAD]!, source[split - 2]!, (end - split) / 2, source[split]!, source[end - 2]!)) return false;
    target.positive = addPairs(target.positive, source, HEAD, split);
    target.negative = addPairs(target.negative, source, split, source.length);
  }
  target.zeros += sketchZeros(source);
  target.count += sketchCount(source);
  target.sum += sketchSum(source);
  const min = sketchMin(source);
  const max = sketchMax(source);
  if (min < target.min) target.min = min;
  if (max > target.max) target.max = max;
  return true;
}

const sketchZeros = (sketch: number[] | DenseQuantile): number => (sketch instanceof DenseQuantile ? sketch.zeros : sketch[ZEROS]!);
const sketchMin = (sketch: number[] | DenseQuantile): number => (sketch instanceof DenseQuantile ? sketch.min : sketch[MIN]!);
const sketchMax = (sketch: number[] | DenseQuantile): number => (sketch instanceof DenseQuantile ? sketch.max : sketch[MAX]!);

/**
 * Whether a dense sketch still suits its form (suitsDense) with bins added:
 * `positive` of them from `positiveLo` to `positiveHi`, `negative` from
 * `negativeLo` to `negativeHi` (0: none of that sign), counted as new.
 */
function takesDense(sketch: DenseQuantile, positive: number, positiveLo: number, positiveHi: number, negative: number, negativeLo: number, negativeHi: number): boolean {
  const p = sketch.positive;
  const n = sketch.negative;
  return suitsDense(
    (p?.filled ?? 0) + positive,
    p === null ? positiveLo : positive === 0 ? p.lo : Math.min(p.lo, positiveLo),
    p === null ? positiveHi : positive === 0 ? p.hi : Math.max(p.hi, positiveHi),
    (n?.filled ?? 0) + negative,
    n === null ? negativeLo : negative === 0 ? n.lo : Math.min(n.lo, negativeLo),
    n === null ? negativeHi : negative === 0 ? n.hi : Math.max(n.hi, negativeHi),
  );
}

function mergeDenseBins(bins: DenseBins | null, source: DenseBins | null): DenseBins | null {
  if (source === null) return bins;
  if (bins === null) return source.clone();
  bins.addAll(source);
  return bins;
}

function addPairs(bins: DenseBins | null, pairs: number[], from: number, to: number): DenseBins | null {
  if (from === to) return bins;
  if (bins === null) return DenseBins.of(pairs, from, to);
  for (let i = from; i < to; i += 2) bins.add(pairs[i]!, pairs[i + 1]!);
  return bins;
}

/** The sketch as a flat array (a dense one's bins as pairs). */
function pairsOf(sketch: DenseQuantile): number[] {
  const out: number[] = [sketch.count, sketch.zeros, sketch.sum, sketch.min, sketch.max, sketch.positive?.filled ?? 0];
  let at = HEAD;
  if (sketch.positive !== null) at = sketch.positive.pairsInto(out, at);
  if (sketch.negative !== null) sketch.negative.pairsInto(out, at);
  return out;
}

/** The flat sketch, dense when it has DENSE_MIN_BINS bins or more and each sign's suit a run. */
function denseIfSuited(sketch: number[]): QuantileSketch {
  if (sketch.length < HEAD + 2 * DENSE_MIN_BINS) return sketch;
  const split = positiveEnd(sketch);
  const end = sketch.length;
  if (!suitsDense((split - HEAD) / 2, sketch[HEAD]!, sketch[split - 2]!, (end - split) / 2, sketch[split]!, sketch[end - 2]!)) return sketch;
  return new DenseQuantile(sketch[COUNT]!, sketch[ZEROS]!, sketch[SUM]!, sketch[MIN]!, sketch[MAX]!, DenseBins.of(sketch, HEAD, split), DenseBins.of(sketch, split, end));
}

/** Merges flat sketches (see sketchMergeInto). */
function mergePairs(target: number[], source: number[]): number[] {
  const split = positiveEnd(target);
  const sourceSplit = positiveEnd(source);
  const newPositive = missingKeys(target, HEAD, split, source, HEAD, sourceSplit);
  const newNegative = missingKeys(target, split, target.length, source, sourceSplit, source.length);
  if (newPositive === 0 && newNegative === 0) {
    addCounts(target, HEAD, source, HEAD, sourceSplit);
    addCounts(target, split, source, sourceSplit, source.length);
  } else if (withinSpan(target, HEAD, split, source, HEAD, sourceSplit) && withinSpan(target, split, target.length, source, sourceSplit, source.length)) {
    mergeInPlace(target, split, source, sourceSplit, newPositive, newNegative);
  } else {
    target = rebuilt(target, source, HEAD, sourceSplit, sourceSplit, source.length);
  }
  target[ZEROS] += source[ZEROS];
  target[COUNT] += source[COUNT];
  target[SUM] += source[SUM];
  if (source[MIN] < target[MIN]) target[MIN] = source[MIN];
  if (source[MAX] > target[MAX]) target[MAX] = source[MAX];
  return target;
}

/**
 * The value at quantile q (0..1): within RELATIVE_ACCURACY of the exact
 * sorted[floor(q·(count-1))], and never outside [min, max]. NaN when empty.
 */
export function sketchQuantile(sketch: QuantileSketch, q: number): number {
  oneQuantile[0] = q;
  return sketchQuantiles(sketch, oneQuantile, oneValue)[0]!;
}

const oneQuantile = [0];
const oneValue = [0];

/**
 * The value at each quantile of `qs`, into `out`, in one walk over the bins
 * (as sketchQuantile): `qs` must ascend, so their ranks do. A render asks
 * for seven quantiles of each window, and a walk from the first bin for
 * each was a tenth of a query's time.
 */
export function sketchQuantiles(sketch: QuantileSketch, qs: readonly number[], out: number[]): number[] {
  if (sketch instanceof CodedQuantile) sketch = plainOf(sketch);
  if (sketch instanceof DenseQuantile) sketch = pairsOf(sketch);
  const count = sketch[COUNT];
  const split = positiveEnd(sketch);
  const negatives = countsIn(sketch, split, sketch.length);
  const zeros = sketch[ZEROS];
  // The walk: negative bins from the largest magnitude down, then positive ones up; `passed` counts what the bins behind it hold.
  let negative = sketch.length - 2;
  let positive = HEAD;
  let passed = 0;
  for (let k = 0; k < qs.length; k++) {
    const q = qs[k]!;
    if (count === 0 || !(q >= 0 && q <= 1)) {
      out[k] = NaN;
      continue;
    }
    if (k > 0 && !(q >= qs[k - 1]!)) throw new RangeError('sketchQuantiles: the quantiles must ascend');
    const rank = Math.floor(q * (count - 1));
    let value: number;
    if (rank < negatives) {
      while (negative > split && rank >= passed + sketch[negative + 1]) {
        passed += sketch[negative + 1];
        negative -= 2;
      }
      value = -mapping.value(sketch[negative]);
    } else if (rank < negatives + zeros) {
      value = 0;
    } else {
      if (passed < negatives + zeros) passed = negatives + zeros;
      while (positive < split - 2 && rank >= passed + sketch[positive + 1]) {
        passed += sketch[positive + 1];
        positive += 2;
      }
      value = mapping.value(sketch[positive]);
    }
    out[k] = Math.min(Math.max(value, sketch[MIN]), sketch[MAX]);
  }
  return out;
}

/** The sum of the counts of the pairs in [from, to). */
function countsIn(pairs: ArrayLike<number>, from: number, to: number): number {
  let total = 0;
  for (let i = from + 1; i < to; i += 2) total += pairs[i];
  return total;
}

/** Adds `count` to bin `key` of a sign; returns the sketch, a new array when the bin is new. */
function addToBin(sketch: number[], positive: boolean, key: number, count: number): number[] {
  const split = positiveEnd(sketch);
  const from = positive ? HEAD : split;
  const to = positive ? split : sketch.length;
  const at = searchKey(sketch, from, to, key);
  if (at < to && sketch[at] === key) {
    sketch[at + 1] += count;
    return sketch;
  }
  if (from === to || (key - sketch[from] < MAX_BINS && sketch[to - 2] - key < MAX_BINS)) return withPair(sketch, positive, at, key, count);
  // A key MAX_BINS or more from the others: the lowest collapse (rare), so the bins are rebuilt.
  single[0] = key;
  single[1] = count;
  return positive ? rebuilt(sketch, single, 0, 2, 2, 2) : rebuilt(sketch, single, 0, 0, 0, 2);
}

const single = [0, 0];

/** Where `key` is, or would go, among the ascending pairs in [from, to): a binary search. */
function searchKey(sketch: number[], from: number, to: number, key: number): number {
  let lo = 0;
  let hi = (to - from) / 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sketch[from + 2 * mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return from + 2 * lo;
}

/**
 * The sketch with a new (key, count) pair at `at`, in place: the array grows
 * in its own room (V8 keeps up to half again), and the pairs after `at` move
 * up by a plain loop. Copying a short sketch to an exact-size array for each
 * new bin, or Array.prototype.splice/toSpliced, made a realistic fold (a
 * fetched state taking 50 values in a new bucket) 2-20× slower.
 */
function withPair(sketch: number[], positive: boolean, at: number, key: number, count: number): number[] {
  const n = sketch.length;
  sketch.push(0, 0);
  for (let i = n - 1; i >= at; i--) sketch[i + 2] = sketch[i]!;
  sketch[at] = key;
  sketch[at + 1] = count;
  if (positive) sketch[POSITIVE_BINS]++;
  return sketch;
}

/** How many keys of the source's pairs in [sourceFrom, sourceTo) the target's pairs in [from, to) lack. */
function missingKeys(target: number[], from: number, to: number, source: number[], sourceFrom: number, sourceTo: number): number {
  let missing = 0;
  let i = from;
  for (let j = sourceFrom; j < sourceTo; j += 2) {
    while (i < to && target[i] < source[j]) i += 2;
    if (i >= to || target[i] !== source[j]) missing++;
  }
  return missing;
}

/**
 * True when merging the two runs collapses nothing (see mergeBins): their
 * keys together span at most MAX_BINS - 1. A run alone always does.
 */
function withinSpan(target: number[], from: number, to: number, source: number[], sourceFrom: number, sourceTo: number): boolean {
  if (from === to || sourceFrom === sourceTo) return true;
  return Math.max(target[to - 2], source[sourceTo - 2]) - Math.min(target[from], source[sourceFrom]) <= MAX_BINS - 1;
}

/**
 * Merges the source's pairs into the target's, which lacks `newPositive` and
 * `newNegative` of its keys: the array grows by that many pairs, then each
 * sign's pairs are merged from the back (the negative ones first, as they
 * move furthest), so no pair is overwritten before it is read.
 */
function mergeInPlace(target: number[], split: number, source: number[], sourceSplit: number, newPositive: number, newNegative: number): void {
  const oldLength = target.length;
  for (let k = 2 * (newPositive + newNegative); k > 0; k--) target.push(0);
  mergeBack(target, split, oldLength, source, sourceSplit, source.length, target.length);
  mergeBack(target, HEAD, split, source, HEAD, sourceSplit, split + 2 * newPositive);
  target[POSITIVE_BINS] += newPositive;
}

/** Merges the target's pairs in [from, to) and the source's in [sourceFrom, sourceTo) into the target's [.., end), from the back. */
function mergeBack(target: number[], from: number, to: number, source: number[], sourceFrom: number, sourceTo: number, end: number): void {
  let i = to - 2;
  let j = sourceTo - 2;
  let w = end - 2;
  while (j >= sourceFrom) {
    const ka = i >= from ? target[i] : -Infinity;
    const kb = source[j];
    if (ka > kb) {
      target[w] = ka;
      target[w + 1] = target[i + 1];
      i -= 2;
    } else if (ka === kb) {
      target[w] = ka;
      target[w + 1] = target[i + 1] + source[j + 1];
      i -= 2;
      j -= 2;
    } else {
      target[w] = kb;
      target[w + 1] = source[j + 1];
      j -= 2;
    }
    w -= 2;
  }
  // The target's pairs left below move up by the new pairs after them (none: in place already).
  for (; i >= from && w !== i; i -= 2, w -= 2) {
    target[w] = target[i];
    target[w + 1] = target[i + 1];
  }
}

/** Adds the counts of the source's pairs in [sourceFrom, sourceTo) to the target's pairs of the same keys, from `from` (none missing: see missingKeys). */
function addCounts(target: number[], from: number, source: number[], sourceFrom: number, sourceTo: number): void {
  let i = from;
  for (let j = sourceFrom; j < sourceTo; j += 2) {
    while (target[i] < source[j]) i += 2;
    target[i + 1] += source[j + 1];
  }
}

/**
 * The target with the source's bins added, as a new array (the head copied,
 * not yet merged): the source's positive pairs lie in [positiveFrom,
 * positiveTo), its negative ones in [negativeFrom, negativeTo).
 */
function rebuilt(target: number[], source: ArrayLike<number>, positiveFrom: number, positiveTo: number, negativeFrom: number, negativeTo: number): number[] {
  const split = positiveEnd(target);
  const positiveEnds = mergeBins(target, HEAD, split, source, positiveFrom, positiveTo, scratch, 0);
  const end = mergeBins(target, split, target.length, source, negativeFrom, negativeTo, scratch, positiveEnds);
  const out = new Array<number>(HEAD + end);
  for (let i = 0; i < HEAD; i++) out[i] = target[i];
  out[POSITIVE_BINS] = positiveEnds / 2;
  for (let i = 0; i < end; i++) out[HEAD + i] = scratch[i];
  return out;
}

/** Room for both signs' pairs (at most MAX_BINS each) while a sketch is read or rebuilt. */
const scratch = new Float64Array(4 * MAX_BINS);

/**
 * Merges two ascending runs of (key, count) pairs, a in [aFrom, aTo) and b
 * in [bFrom, bTo), into `out` from `at`; returns where the result ends.
 * Keys more than MAX_BINS - 1 below the highest are counted in the lowest
 * key kept, as DDSketch's collapsing-lowest store does: adding the pairs one
 * by one, in any order, gives the same bins.
 */
function mergeBins(a: ArrayLike<number>, aFrom: number, aTo: number, b: ArrayLike<number>, bFrom: number, bTo: number, out: Float64Array, at: number): number {
  if (aFrom === aTo && bFrom === bTo) return at;
  const top = Math.max(aFrom < aTo ? a[aTo - 2] : -Infinity, bFrom < bTo ? b[bTo - 2] : -Infinity);
  const lowest = top - MAX_BINS + 1;
  let i = aFrom;
  let j = bFrom;
  let collapsed = 0;
  while (i < aTo && a[i] <= lowest) collapsed += a[(i += 2) - 1];
  while (j < bTo && b[j] <= lowest) collapsed += b[(j += 2) - 1];
  let o = at;
  if (i > aFrom || j > bFrom) {
    out[o++] = lowest;
    out[o++] = collapsed;
  }
  while (i < aTo || j < bTo) {
    const ka = i < aTo ? a[i] : Infinity;
    const kb = j < bTo ? b[j] : Infinity;
    out[o++] = Math.min(ka, kb);
    let count = 0;
    if (ka <= kb) count += a[(i += 2) - 1];
    if (kb <= ka) count += b[(j += 2) - 1];
    out[o++] = count;
  }
  return o;
}

// Serialized as: count (0 = empty, nothing follows), zeros, sum, min, max,
// then per sign the non-empty bins as (key gap, count) pairs.
export function writeSketch(writer: ByteWriter, sketch: QuantileSketch | undefined): void {
  if (sketch === undefined || sketchCount(sketch) === 0) {
    writer.varuint(0);
    return;
  }
  if (sketch instanceof CodedQuantile) {
    writer.bytes(sketch.bytes);
    return;
  }
  if (sketch instanceof DenseQuantile) {
    writer.varuint(sketch.count).varuint(sketch.zeros).f64(sketch.sum).f64(sketch.min).f64(sketch.max);
    writeDenseBins(writer, sketch.positive);
    writeDenseBins(writer, sketch.negative);
    return;
  }
  writer.varuint(sketch[COUNT]).varuint(sketch[ZEROS]).f64(sketch[SUM]).f64(sketch[MIN]).f64(sketch[MAX]);
  const split = positiveEnd(sketch);
  writeBins(writer, sketch, HEAD, split);
  writeBins(writer, sketch, split, sketch.length);
}

/**
 * writeSketch, returning the sketch to hold in its place: for a window's
 * closed bucket (`closed`), a plain sketch is held as the bytes just
 * written from here on (CodedQuantile), the same value. A late event makes
 * it plain again, a decode, and its next write codes it again: at most one
 * decode per bucket per checkpoint, where every write coded its bins again.
 */
export function writeSketchHeld(writer: ByteWriter, sketch: QuantileSketch | undefined, closed: boolean): QuantileSketch | undefined {
  if (!closed || sketch === undefined || sketch instanceof CodedQuantile || sketchCount(sketch) === 0) {
    writeSketch(writer, sketch);
    return sketch;
  }
  const mark = writer.mark();
  writeSketch(writer, sketch);
  return new CodedQuantile(writer.copySince(mark), sketchCount(sketch));
}

/**
 * readSketch; for a window's closed bucket (`closed`), the sketch held as
 * the bytes read (a copy: CodedQuantile), checked as readSketch checks them
 * but not built.
 */
export function readSketchHeld(reader: ByteReader, closed: boolean): QuantileSketch | undefined {
  if (!closed) return readSketch(reader);
  const from = reader.offset;
  const count = readChecked(reader);
  if (count === 0) return undefined;
  return new CodedQuantile(reader.copySince(from), count);
}

/** What readChecked read beside the count: the head's fields, and where each sign's bins end in `scratch`. */
const checked = { zeros: 0, sum: 0, min: 0, max: 0, split: 0, end: 0 };

/** Reads a sketch's head and bins (into `scratch`), checked; its count (0: empty, nothing more read). */
function readChecked(reader: ByteReader): number {
  const count = reader.varuint();
  if (count === 0) return 0;
  checked.zeros = reader.varuint();
  checked.sum = reader.f64();
  checked.min = reader.f64();
  checked.max = reader.f64();
  checked.split = readBins(reader, 0);
  checked.end = readBins(reader, checked.split);
  if (checked.zeros + countsIn(scratch, 0, checked.end) !== count) reader.fail('sketch bins do not add up to its count');
  return count;
}

export function readSketch(reader: ByteReader): QuantileSketch | undefined {
  const count = readChecked(reader);
  if (count === 0) return undefined;
  const { zeros, sum, min, max, split, end } = checked;
  if (end >= 2 * DENSE_MIN_BINS && suitsDense(split / 2, scratch[0]!, scratch[split - 2]!, (end - split) / 2, scratch[split]!, scratch[end - 2]!)) {
    return new DenseQuantile(count, zeros, sum, min, max, DenseBins.of(scratch, 0, split), DenseBins.of(scratch, split, end));
  }
  const sketch = new Array<number>(HEAD + end);
  sketch[COUNT] = count;
  sketch[ZEROS] = zeros;
  sketch[SUM] = sum;
  sketch[MIN] = min;
  sketch[MAX] = max;
  sketch[POSITIVE_BINS] = split / 2;
  for (let i = 0; i < end; i++) sketch[HEAD + i] = scratch[i];
  return sketch;
}

function writeBins(writer: ByteWriter, sketch: number[], from: number, to: number): void {
  // Every pair holds a count (bins are kept only while they do): one pass.
  writer.varuint((to - from) / 2);
  if (from === to) return;
  writer.varint(sketch[from]).varuint(sketch[from + 1]).gapsAndCounts(sketch, from + 2, to);
}

function writeDenseBins(writer: ByteWriter, bins: DenseBins | null): void {
  if (bins === null) writer.varuint(0);
  else bins.write(writer);
}

/** Reads a sign's bins into `scratch` from `at`; returns where they end. */
function readBins(reader: ByteReader, at: number): number {
  const nonEmpty = reader.varuint();
  if (nonEmpty > MAX_BINS) reader.fail(`sketch has ${nonEmpty} bins, more than ${MAX_BINS}`);
  let key = 0;
  let first = 0;
  for (let n = 0; n < nonEmpty; n++) {
    if (n === 0) {
      first = key = reader.varint();
    } else {
      const gap = reader.varuint();
      if (gap === 0) reader.fail('sketch bins out of order');
      key += gap;
    }
    if (key - first >= MAX_BINS) reader.fail('sketch bins span too wide a range');
    const count = reader.varuint();
    // Written bins always hold a count: a sketch keeps no empty one (writeBins relies on it).
    if (count === 0) reader.fail('sketch bin with no count');
    scratch[at++] = key;
    scratch[at++] = count;
  }
  return at;
}
