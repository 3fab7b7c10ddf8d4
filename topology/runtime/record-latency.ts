// How long records take from their timestamp (the producer's CreateTime, or
// the broker's LogAppendTime) to four points of a worker: fetched from Kafka
// by the reader, handed over to be folded (after waiting in the reader's
// prefetch queue), folded into the states, and queryable (the checkpoint that
// covers them is in Redis). Kafka Streams' record-e2e-latency (KIP-613),
// kept as histograms so a tail shows, and split by stage so it shows where.
// Counted on the record path: a bucket search and two additions per record
// and stage (and one array of timestamps per fetched batch).

/** Upper bounds of the buckets, in seconds (a last one, +Inf, is implied). */
export const RECORD_LATENCY_BOUNDS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60];

export const RECORD_STAGES = ['fetched', 'received', 'folded', 'queryable'] as const;
export type RecordStage = (typeof RECORD_STAGES)[number];

/** Counts per bucket (not cumulative), their sum and count: a Prometheus histogram's series. */
export class LatencyBuckets {
  /** One count per bound, then the +Inf bucket's. */
  readonly counts = new Float64Array(RECORD_LATENCY_BOUNDS.length + 1);
  sum = 0;
  count = 0;

  /** One record `seconds` old; a timestamp ahead of this clock (skew) counts as 0. */
  observe(seconds: number): void {
    const s = seconds > 0 ? seconds : 0;
    let b = 0;
    while (b < RECORD_LATENCY_BOUNDS.length && s > RECORD_LATENCY_BOUNDS[b]!) b++;
    this.counts[b]! += 1;
    this.sum += s;
    this.count += 1;
  }

  /** Each of these records (their Kafka timestamps) as of `nowMs`. */
  observeRecords(records: ReadonlyArray<{ timestamp: string }>, nowMs: number): void {
    for (const r of records) this.observeStamp(recordStamp(r.timestamp), nowMs);
  }

  /** Each record of `stamps` (epoch ms) as of `nowMs`. */
  observeStamps(stamps: ArrayLike<number>, nowMs: number, from = 0, to = stamps.length): void {
    for (let i = from; i < to; i++) this.observeStamp(stamps[i]!, nowMs);
  }

  /** A record stamped `stamp` (epoch ms; NaN or negative: it has no timestamp, skipped) as of `nowMs`. */
  private observeStamp(stamp: number, nowMs: number): void {
    if (stamp >= 0) this.observe((nowMs - stamp) / 1000);
  }
}

/** A task's record latencies, one histogram per stage. */
export class RecordLatency {
  readonly fetched = new LatencyBuckets();
  readonly received = new LatencyBuckets();
  readonly folded = new LatencyBuckets();
  readonly queryable = new LatencyBuckets();

  stage(name: RecordStage): LatencyBuckets {
    return this[name];
  }
}

/** A record's timestamp as epoch ms; -1 when it has none (Kafka's -1, empty, or not a number). */
export function recordStamp(timestamp: string): number {
  const ms = timestamp === '' ? Number.NaN : Number(timestamp);
  return Number.isFinite(ms) && ms >= 0 ? ms : -1;
}
