// Where a latency run's time goes inside the workers: their
// `tabstream_record_e2e_latency_seconds` histograms (per record, its Kafka
// timestamp to received / folded / queryable), scraped at the start and the
// end of the measured window and subtracted, so only that window's records
// count; percentiles interpolated within a bucket, as Prometheus's
// histogram_quantile does.
import { RECORD_LATENCY_BOUNDS, RECORD_STAGES, type RecordStage } from '../topology/runtime/record-latency';

const METRIC = 'tabstream_record_e2e_latency_seconds_bucket';

/** Per stage, cumulative counts per bound (RECORD_LATENCY_BOUNDS, then +Inf), summed over partitions and workers. */
export type StageBuckets = Record<RecordStage, number[]>;

export interface StagePercentiles {
  p50_ms: number;
  p99_ms: number;
  records: number;
}

export type StageFigures = Record<RecordStage, StagePercentiles>;

/** Zero counts for every stage. */
export function emptyStageBuckets(): StageBuckets {
  return Object.fromEntries(RECORD_STAGES.map((s) => [s, new Array<number>(RECORD_LATENCY_BOUNDS.length + 1).fill(0)])) as StageBuckets;
}

/** Adds the bucket samples of one worker's /metrics text into `into`. */
export function addStageBuckets(text: string, into: StageBuckets = emptyStageBuckets()): StageBuckets {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${METRIC}{`)) continue;
    const stage = /[{,]stage="([a-z]+)"/.exec(line)?.[1] as RecordStage | undefined;
    const le = /[{,]le="([^"]+)"/.exec(line)?.[1];
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (stage === undefined || le === undefined || !(stage in into) || !Number.isFinite(value)) continue;
    const at = le === '+Inf' ? RECORD_LATENCY_BOUNDS.length : RECORD_LATENCY_BOUNDS.indexOf(Number(le));
    if (at >= 0) into[stage][at]! += value;
  }
  return into;
}

/** The `q` quantile (0..1) in ms of cumulative counts, linear within its bucket; NaN with no records; the last bound when it falls in +Inf. */
export function bucketQuantileMs(cumulative: readonly number[], q: number): number {
  const total = cumulative[cumulative.length - 1]!;
  if (!(total > 0)) return Number.NaN;
  const rank = q * total;
  let b = 0;
  while (b < cumulative.length - 1 && cumulative[b]! < rank) b++;
  if (b >= RECORD_LATENCY_BOUNDS.length) return RECORD_LATENCY_BOUNDS[RECORD_LATENCY_BOUNDS.length - 1]! * 1000;
  const lower = b === 0 ? 0 : RECORD_LATENCY_BOUNDS[b - 1]!;
  const below = b === 0 ? 0 : cumulative[b - 1]!;
  const inBucket = cumulative[b]! - below;
  const fraction = inBucket === 0 ? 1 : (rank - below) / inBucket;
  return Math.round((lower + (RECORD_LATENCY_BOUNDS[b]! - lower) * fraction) * 1000);
}

/** Per stage, p50 and p99 of the records counted between two scrapes. */
export function stageFigures(before: StageBuckets, after: StageBuckets): StageFigures {
  return Object.fromEntries(
    RECORD_STAGES.map((stage) => {
      const diff = after[stage].map((v, i) => v - before[stage][i]!);
      return [stage, { p50_ms: bucketQuantileMs(diff, 0.5), p99_ms: bucketQuantileMs(diff, 0.99), records: diff[diff.length - 1]! }];
    }),
  ) as StageFigures;
}

/** One line for a log or report. */
export function describeStages(f: StageFigures): string {
  return `in the workers, p50 / p99 from the record's Kafka timestamp: ${RECORD_STAGES.map((s) => `${s} ${f[s].p50_ms} / ${f[s].p99_ms} ms`).join(', ')}`;
}
