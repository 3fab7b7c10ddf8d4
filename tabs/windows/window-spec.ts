// The rolling windows a Tab type reports, each as a ring of fixed-size buckets
// keyed by absolute event time.
//
// Bucket i of size g holds the events with time in ((i-1)·g, i·g], so
// i = ceil(time / g). The window W = n·g at `now` is the n buckets ending with
// the one that holds `now`: it never counts an event older than now - W, and
// at a bucket boundary (now a multiple of g) it is exactly (now - W, now].
// Between boundaries its old edge lags by less than one bucket.
export interface WindowSpec {
  /** Rendered key, e.g. `10m`. */
  readonly name: string;
  readonly bucketMs: number;
  readonly buckets: number;
}

export const ALL_WINDOW = 'all';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** For cheap cells (count and total): 10 s, 1 min, 5 min, 1 h buckets; 52 in all. */
export const FINE_WINDOWS: readonly WindowSpec[] = [
  { name: '1m', bucketMs: 10 * SECOND, buckets: 6 },
  { name: '10m', bucketMs: MINUTE, buckets: 10 },
  { name: '1h', bucketMs: 5 * MINUTE, buckets: 12 },
  { name: '1d', bucketMs: HOUR, buckets: 24 },
];

/** For sketch cells (quantiles, distinct counts), whose buckets cost far more: 27 in all. */
export const SKETCH_WINDOWS: readonly WindowSpec[] = [
  { name: '1m', bucketMs: 15 * SECOND, buckets: 4 },
  { name: '10m', bucketMs: 2 * MINUTE, buckets: 5 },
  { name: '1h', bucketMs: 10 * MINUTE, buckets: 6 },
  { name: '1d', bucketMs: 2 * HOUR, buckets: 12 },
];

export function bucketIndex(time: number, bucketMs: number): number {
  return Math.ceil(time / bucketMs);
}
