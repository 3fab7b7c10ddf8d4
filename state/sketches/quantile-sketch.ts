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
import type { ByteReader } from '../codec/byte-reader';
import type { ByteWriter } from '../codec/byte-writer';

export const RELATIVE_ACCURACY = 0.01;
/**
 * Most bins per sign. 2048 bins of 2 % cover a 10^17 range of magnitudes;
 * beyond that the smallest magnitudes are collapsed into the lowest bin (as
 * DDSketch's collapsing-lowest store does), where the bound no longer holds.
 */
export const MAX_BINS = 2048;

const mapping = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY }).mapping;
/** Magnitudes at or below this are counted as zero (about 1e-308). */
const SMALLEST_MAGNITUDE = mapping.minPossible;

/** Counts of bin keys offset..offset+counts.length-1; empty when counts is empty. */
export interface Bins {
  offset: number;
  counts: number[];
}

export interface QuantileSketch {
  /** Positive values by magnitude bin. */
  positive: Bins;
  /** Negative values by magnitude bin. */
  negative: Bins;
  zeros: number;
  count: number;
  sum: number;
  min: number;
  max: number;
}

export function newSketch(): QuantileSketch {
  return {
    positive: { offset: 0, counts: [] },
    negative: { offset: 0, counts: [] },
    zeros: 0,
    count: 0,
    sum: 0,
    min: Infinity,
    max: -Infinity,
  };
}

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

export function sketchAdd(sketch: QuantileSketch, value: number): void {
  if (value > SMALLEST_MAGNITUDE) addToBins(sketch.positive, keyOf(value), 1);
  else if (value < -SMALLEST_MAGNITUDE) addToBins(sketch.negative, keyOf(-value), 1);
  else sketch.zeros++;
  sketch.count++;
  sketch.sum += value;
  if (value < sketch.min) sketch.min = value;
  if (value > sketch.max) sketch.max = value;
}

/** Adds `source` into `target`. */
export function sketchMergeInto(target: QuantileSketch, source: QuantileSketch): void {
  if (source.count === 0) return;
  mergeBins(target.positive, source.positive);
  mergeBins(target.negative, source.negative);
  target.zeros += source.zeros;
  target.count += source.count;
  target.sum += source.sum;
  if (source.min < target.min) target.min = source.min;
  if (source.max > target.max) target.max = source.max;
}

/**
 * The value at quantile q (0..1): within RELATIVE_ACCURACY of the exact
 * sorted[floor(q·(count-1))], and never outside [min, max]. NaN when empty.
 */
export function sketchQuantile(sketch: QuantileSketch, q: number): number {
  if (sketch.count === 0 || !(q >= 0 && q <= 1)) return NaN;
  let rank = Math.floor(q * (sketch.count - 1));
  let value: number;
  const negatives = sumOf(sketch.negative.counts);
  if (rank < negatives) {
    // Ascending values run through the negative bins from the largest magnitude down.
    const { offset, counts } = sketch.negative;
    let i = counts.length - 1;
    for (; i > 0; i--) {
      if (rank < counts[i]) break;
      rank -= counts[i];
    }
    value = -mapping.value(offset + i);
  } else if (rank < negatives + sketch.zeros) {
    value = 0;
  } else {
    rank -= negatives + sketch.zeros;
    const { offset, counts } = sketch.positive;
    let i = 0;
    for (; i < counts.length - 1; i++) {
      if (rank < counts[i]) break;
      rank -= counts[i];
    }
    value = mapping.value(offset + i);
  }
  return Math.min(Math.max(value, sketch.min), sketch.max);
}

function sumOf(counts: number[]): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  return total;
}

function addToBins(bins: Bins, key: number, count: number): void {
  const { counts } = bins;
  const index = key - bins.offset;
  if (index >= 0 && index < counts.length) {
    counts[index] += count;
    return;
  }
  if (counts.length === 0) {
    bins.offset = key;
    counts.push(count);
    return;
  }
  if (index < 0) {
    // Below the lowest bin: grow down, unless that would pass MAX_BINS, then collapse into the lowest.
    const top = bins.offset + counts.length - 1;
    const lowest = Math.max(key, top - MAX_BINS + 1);
    if (lowest < bins.offset) {
      counts.unshift(...new Array<number>(bins.offset - lowest).fill(0));
      bins.offset = lowest;
    }
    counts[Math.max(key, lowest) - bins.offset] += count;
    return;
  }
  for (let i = counts.length; i < index; i++) counts.push(0);
  counts.push(count);
  collapseLowest(bins);
}

/** Folds the lowest bins together so at most MAX_BINS remain. */
function collapseLowest(bins: Bins): void {
  const excess = bins.counts.length - MAX_BINS;
  if (excess <= 0) return;
  let folded = 0;
  for (let i = 0; i <= excess; i++) folded += bins.counts[i];
  bins.counts.splice(0, excess);
  bins.counts[0] = folded;
  bins.offset += excess;
}

function mergeBins(target: Bins, source: Bins): void {
  const { offset, counts } = source;
  // From the top down, so the first add sets the range and collapsing happens at most once.
  for (let i = counts.length - 1; i >= 0; i--) if (counts[i] !== 0) addToBins(target, offset + i, counts[i]);
}

export function cloneSketch(sketch: QuantileSketch): QuantileSketch {
  return {
    ...sketch,
    positive: { offset: sketch.positive.offset, counts: sketch.positive.counts.slice() },
    negative: { offset: sketch.negative.offset, counts: sketch.negative.counts.slice() },
  };
}

// Serialized as: count (0 = empty, nothing follows), zeros, sum, min, max,
// then per sign the non-empty bins as (key gap, count) pairs.
export function writeSketch(writer: ByteWriter, sketch: QuantileSketch | undefined): void {
  if (sketch === undefined || sketch.count === 0) {
    writer.varuint(0);
    return;
  }
  writer.varuint(sketch.count).varuint(sketch.zeros).f64(sketch.sum).f64(sketch.min).f64(sketch.max);
  writeBins(writer, sketch.positive);
  writeBins(writer, sketch.negative);
}

export function readSketch(reader: ByteReader): QuantileSketch | undefined {
  const count = reader.varuint();
  if (count === 0) return undefined;
  const sketch = newSketch();
  sketch.count = count;
  sketch.zeros = reader.varuint();
  sketch.sum = reader.f64();
  sketch.min = reader.f64();
  sketch.max = reader.f64();
  readBins(reader, sketch.positive);
  readBins(reader, sketch.negative);
  if (sketch.zeros + sumOf(sketch.positive.counts) + sumOf(sketch.negative.counts) !== count) reader.fail('sketch bins do not add up to its count');
  return sketch;
}

function writeBins(writer: ByteWriter, bins: Bins): void {
  const { offset, counts } = bins;
  let nonEmpty = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i] !== 0) nonEmpty++;
  writer.varuint(nonEmpty);
  let previous = -1;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] === 0) continue;
    if (previous < 0) writer.varint(offset + i);
    else writer.varuint(i - previous);
    writer.varuint(counts[i]);
    previous = i;
  }
}

function readBins(reader: ByteReader, bins: Bins): void {
  const nonEmpty = reader.varuint();
  if (nonEmpty > MAX_BINS) reader.fail(`sketch has ${nonEmpty} bins, more than ${MAX_BINS}`);
  let key = 0;
  for (let n = 0; n < nonEmpty; n++) {
    if (n === 0) {
      key = reader.varint();
    } else {
      const gap = reader.varuint();
      if (gap === 0) reader.fail('sketch bins out of order');
      key += gap;
    }
    const count = reader.varuint();
    if (n === 0) bins.offset = key;
    const index = key - bins.offset;
    if (index >= MAX_BINS) reader.fail('sketch bins span too wide a range');
    while (bins.counts.length < index) bins.counts.push(0);
    bins.counts.push(count);
  }
}
