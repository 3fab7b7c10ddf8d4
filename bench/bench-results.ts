// The shape of one `npm run bench` result (bench/results/<timestamp>.json).
import type { ProfileRow } from './profile-summary';

export type SystemName = 'ceiling' | 'tabstream' | 'kafka-streams' | 'naive';

export interface RunRow {
  system: SystemName;
  shape: string;
  /** e.g. `1 worker`, `2 threads, exactly_once_v2`. */
  config: string;
  /** Tabstream runs: how many worker processes. */
  workers?: number;
  /** The best of `samples`. */
  events_per_s: number;
  /** Every repetition's figure, in the order measured. */
  samples?: number[];
  /** events_per_s ÷ the ceiling of the same shape in the same run. */
  ceiling_ratio: number;
  /** Aggregates checked against the workload: true exact, false wrong, null not checked. */
  exact: boolean | null;
  problems?: string[];
  states?: number;
  rss_bytes?: number;
  wall_s?: number;
}

export interface BenchResults {
  timestamp: string;
  commit: string;
  mode: 'full' | 'quick';
  machine: { cpus: number; cpu: string; memory_gib: number; node: string; java: string; kafka: string };
  load_average: { start: number[]; end: number[] };
  shapes: Record<string, { tabs: number; clients: number; events: number; messages: number; events_per_message: number; load_s: number }>;
  runs: RunRow[];

  /** Headline: Tabstream's best at the production shape, and its ratios to baselines measured in the same run. */
  e2e_events_per_s: number;
  ceiling_events_per_s: number;
  ceiling_ratio: number;
  kafka_streams_events_per_s: number;
  kafka_streams_ratio: number;
  naive_events_per_s: number;
  naive_ratio: number;
  latency_offered_events_per_s: number;
  latency_sent_events_per_s: number;
  p50_latency_ms: number;
  p99_latency_ms: number;
  max_latency_ms: number;
  /** The same at a quarter of the best end-to-end figure. */
  latency_at_quarter?: { sent_events_per_s: number; p50_ms: number; p99_ms: number; max_ms: number };
  recovery: Array<{ session_timeout_ms: number; partitions_moved: number; claimed_ms: number; recovery_ms: number }>;
  recovery_ms: number;
  recovery_ms_low_session: number;
  bytes_per_counter_state: number;
  bytes_per_state_by_type: Record<string, number>;
  redis_bytes_per_state: number;
  rss_bytes_per_million_states: number;
  profile?: { file: string; top: ProfileRow[]; shares: Record<string, number> };
}
