// The independent model of a quantile sketch's bins (a dense run per sign,
// collapsing the lowest past MAX_BINS, as the sketch kept them before they
// were flat), and reading a sketch's bins back from its bytes: for the
// quantile sketch's tests.
import { DDSketch } from '@datadog/sketches-js';
import { MAX_BINS, RELATIVE_ACCURACY, writeSketch, type QuantileSketch } from '../../tabs/sketches/quantile-sketch';
import { ByteWriter } from '../../tabs/codec/byte-writer';
import { ByteReader } from '../../tabs/codec/byte-reader';

const mapping = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY }).mapping;
/** A magnitude's bin key; undefined for the magnitudes a sketch counts as zero. */
export const keyOf = (magnitude: number) => (magnitude > mapping.minPossible ? mapping.key(magnitude) : undefined);

/**
 * The model: a sign's bins as the sketch kept them before they were flat, a
 * dense run of counts from `offset`, collapsing the lowest past MAX_BINS.
 */
export class ModelBins {
  private offset = 0;
  private counts: number[] = [];

  add(key: number, count: number): void {
    const { counts } = this;
    const index = key - this.offset;
    if (counts.length === 0) {
      this.offset = key;
      counts.push(count);
    } else if (index >= 0 && index < counts.length) {
      counts[index] += count;
    } else if (index < 0) {
      const lowest = Math.max(key, this.offset + counts.length - MAX_BINS);
      if (lowest < this.offset) {
        counts.unshift(...new Array<number>(this.offset - lowest).fill(0));
        this.offset = lowest;
      }
      counts[Math.max(key, lowest) - this.offset] += count;
    } else {
      while (counts.length < index) counts.push(0);
      counts.push(count);
      const excess = counts.length - MAX_BINS;
      if (excess > 0) {
        const folded = counts.slice(0, excess + 1).reduce((a, b) => a + b, 0);
        counts.splice(0, excess);
        counts[0] = folded;
        this.offset += excess;
      }
    }
  }

  /** The non-empty bins as [key, count], by ascending key. */
  pairs(): Array<[number, number]> {
    return this.counts.flatMap((count, i) => (count === 0 ? [] : [[this.offset + i, count] as [number, number]]));
  }
}

/** A sketch's non-empty bins per sign, read from its bytes. */
export function binsOf(sketch: QuantileSketch): { positive: Array<[number, number]>; negative: Array<[number, number]> } {
  const reader = new ByteReader(bytesOf(sketch));
  if (reader.varuint() === 0) return { positive: [], negative: [] };
  reader.varuint();
  reader.f64();
  reader.f64();
  reader.f64();
  const sign = () =>
    Array.from({ length: reader.varuint() }, (_, n) => n).reduce<Array<[number, number]>>((pairs, n) => {
      const key = n === 0 ? reader.varint() : pairs[n - 1][0] + reader.varuint();
      return [...pairs, [key, reader.varuint()]];
    }, []);
  return { positive: sign(), negative: sign() };
}

export function bytesOf(sketch: QuantileSketch): Uint8Array {
  const writer = new ByteWriter();
  writeSketch(writer, sketch);
  return writer.finish();
}

