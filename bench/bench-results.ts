// The shape of one `npm run bench` result (bench/results/<timestamp>.json).
import type { StageFigures } from './stage-latency';
import type { AofRewrite, AofRewriteFigures } from './aof-rewrite-watch';
import type { LoopLagFigures } from './event-loop-lag-watch';
import type { JfrSummary } from './jfr-summary';
import type { ProfileRow } from './profile-summary';
import type { QueryFigures } from './query-latency';

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
  /** The best over the steady slice (the messages after the first quarter; progress-watch.ts), and every repetition's. */
  steady_events_per_s?: number;
  steady_samples?: number[];
  /** Kafka Streams: rebalances that began inside the measured run, all repetitions (0 in a clean run). */
  rebalances_in_run?: number;
  /** events_per_s ÷ the ceiling of the same shape in the same run. */
  ceiling_ratio: number;
  /** Aggregates checked against the workload: true exact, false wrong, null not checked. */
  exact: boolean | null;
  problems?: string[];
  states?: number;
  rss_bytes?: number;
  wall_s?: number;
}

/** The worker's CPU path without services (bench/hot-path.ts), events per CPU-second, best of 5 passes. */
export interface HotPathFigures {
  shape: string;
  /** The Taba topology's fused task: decode, route, fold, sink, a checkpoint's arguments every 250 k events. */
  task_events_per_cpu_s: number;
  /** JSON.parse of the same messages, nothing else. */
  parse_events_per_cpu_s: number;
  /** Every byte of every message read once: the floor. */
  byte_scan_events_per_cpu_s: number;
  /** task ÷ byte scan (issue 16's target: ≥ 0.5). */
  floor_ratio: number;
  /** task ÷ JSON.parse alone. */
  parse_ratio: number;
}

/** One checkpoint interval: end-to-end throughput and event → queryable latency (issue 16; bench/flush-intervals.ts). */
export interface FlushIntervalRow {
  flush_interval_ms: number;
  /** Best over the repeats, and each. */
  e2e_events_per_s: number;
  steady_events_per_s: number;
  samples: number[];
  exact: boolean;
  problems?: string[];
  /** Latency at one offered load for every interval: half the best end-to-end figure of the set. */
  latency_offered_events_per_s: number;
  latency_sent_events_per_s: number;
  p50_latency_ms: number;
  p99_latency_ms: number;
  max_latency_ms: number;
  latency_samples: number;
  /** How long the workers' and the bench's event loops stood still during the latency run (bench/event-loop-lag-watch.ts); absent in earlier runs. */
  loop_lag?: LoopLagFigures;
  /** p99 of the messages sent in the warm-up before the measured window (from the workers' start); absent in earlier runs. */
  warmup_p99_latency_ms?: number;
  /** Inside the workers over the latency run: each record's age (from its Kafka timestamp) when received, folded and queryable (bench/stage-latency.ts); absent in earlier runs. */
  stages?: StageFigures;
  /** Redis's AOF rewrites from the latency run's warm-up to its end, in seconds from the measured window's start (negative: in the warm-up); absent in earlier runs and without an AOF. */
  aof_rewrites?: AofRewrite[];
  /** The same at a quarter of that figure; absent in the first runs. */
  at_quarter?: { sent_events_per_s: number; p50_ms: number; p99_ms: number; max_ms: number; loop_lag?: LoopLagFigures; warmup_p99_ms?: number; stages?: StageFigures; aof_rewrites?: AofRewrite[] };
}

/** The per-interval table and its headline, in a full run and in `--only latency`. */
export interface FlushIntervalFigures {
  flush_intervals: FlushIntervalRow[];
  /** The interval whose p99 is `p99_latency_ms`: the shortest holding 1 M events/s end to end, else the fastest. */
  p99_latency_flush_interval_ms: number;
  /** False when no interval held 1 M events/s (the headline is then at the fastest). */
  p99_latency_holds_1m: boolean;
}

/** Taba's full production state preloaded in Redis, 2 workers (issue 11; bench/taba-full.ts). */
export interface TabaFullFigures {
  /** Aggregate latency on this state, through Tab records and merging client states (issue 12; bench/query-latency.ts). */
  query?: QueryFigures;
  /** (Tab, client) states in Redis before the run. */
  states: number;
  /** Each worker's peak RSS (VmHWM) over the measured run, MiB. */
  rss_mib_per_worker: number[];
  /** kill -9 of one worker to the survivor flushing new events of each of its partitions. */
  takeover_ms: number;
  /** End to end, to flushed state, with the aggregates checked (`exact`). */
  e2e_events_per_s: number;
  shape: string;
  tabs: number;
  clients: number;
  type_mix: string;
  events: number;
  messages: number;
  events_per_message: number;
  /** Distinct states the run's events folded into (each needed one fetch at least). */
  states_touched: number;
  topic_load_s: number;
  preload: { seconds: number; states_per_s: number; events_per_state: number; bytes_per_state_by_type: Record<string, number>; redis_used_memory_mib: number };
  /** First flushed progress to the last message flushed (the figure's interval). */
  run_s: number;
  /** The rate in each 10 s of that interval (the last one shorter); absent before it was recorded. */
  events_per_s_by_10_s?: number[];
  /** The same for each worker's partitions (the run's one assignment); absent before it was recorded. */
  events_per_s_by_10_s_per_worker?: number[][];
  /** Redis's AOF rewrites over the run, timed from its start as the timeline (bench/aof-rewrite-watch.ts); absent before it was recorded or with AOF off. */
  redis_aof?: AofRewriteFigures;
  /** Activation to the last message flushed. */
  wall_s: number;
  working_set_budget_mib: number;
  /** Per worker at the end of the run, from its /metrics. */
  workers: Array<{
    peak_rss_mib: number;
    states_fetched: number;
    states_evicted: number;
    working_set_mib: number;
    /** Seconds of garbage collection by kind, and the process's CPU seconds, since it started (absent before they were recorded). */
    gc_s?: Record<string, number>;
    cpu_s?: number;
  }>;
  /** Every touched state = its preloaded state + the run's events, and so every touched Tab's sum. */
  exact: boolean;
  problems: string[];
  states_checked: number;
  /** Touched Tabs whose record (client `*`) was checked. */
  records_checked: number;
  takeover: {
    session_timeout_ms: number;
    partitions_moved: number;
    /** States stored in Redis for the dead worker's partitions. */
    states_behind: number;
    claimed_ms: number;
    processed_ms: number;
    survivor_peak_rss_mib: number;
    survivor_states_fetched: number;
    survivor_states_evicted: number;
    /** The same check once the survivor folded a trickle over every state, across the kill. */
    exact_after: boolean;
    problems_after: string[];
    states_checked_after: number;
  };
  /** With `--profile`: the survivor's CPU time by group (bench/profile-summary.ts). */
  survivor_profile_shares?: Record<string, number>;
}

/** One variant of the Kafka Streams peer (bench/peer-variants.ts) on the production shape. */
export interface PeerVariantRow {
  name: string;
  /** The letter for the step it adds; each variant keeps every step above it. */
  step: string;
  adds: string;
  config: string;
  events_per_s: number;
  steady_events_per_s: number;
  samples: number[];
  steady_samples: number[];
  exact: boolean;
  /** steady_events_per_s ÷ the baseline's, in the same run. */
  ratio_to_baseline: number;
  rebalances_in_run: number;
}

/** The tuned peer against Tabstream (issue 16): the figures both kinds of result carry. */
export interface PeerComparison {
  peer_variants: PeerVariantRow[];
  /** The variant with the highest steady figure among the exact ones. */
  best_peer_variant: string;
  /** Tabstream's best end to end over the steady slice, timed as the peer is. */
  e2e_steady_events_per_s: number;
  /** Best variant, steady slice. */
  kafka_streams_events_per_s: number;
  /** Tabstream ÷ the best tuned variant, both over the steady slice (before issue 16: ÷ the untuned peer's best, whole run). */
  kafka_streams_ratio: number;
  /** The same, both timed over the whole run (from the first progress). */
  kafka_streams_ratio_whole_run: number;
  /** With `--profile` in `--only peers`: the best variant's JFR recording, summarized. */
  peer_profile?: { variant: string; files: string[]; summary: JfrSummary[] };
}

/** `npm run bench -- --only peers`: the peer's variants and Tabstream (2 workers) on the production shape. */
export interface PeersOnlyResults extends BenchRunInfo, PeerComparison {
  only: 'peers';
  shapes: BenchResults['shapes'];
  runs: RunRow[];
  /** Tabstream's best end to end over the whole run. */
  e2e_events_per_s: number;
}

/** What every result file starts with. */
export interface BenchRunInfo {
  timestamp: string;
  commit: string;
  mode: 'full' | 'quick';
  machine: { cpus: number; cpu: string; memory_gib: number; node: string; java: string; kafka: string };
  load_average: { start: number[]; end: number[] };
}

/** `npm run bench -- --only taba-full`: that shape alone. */
export interface TabaFullOnlyResults extends BenchRunInfo {
  only: 'taba-full';
  taba_full: TabaFullFigures;
  /** Issue 12's headline query figures (from taba_full.query). */
  query?: QueryHeadline;
}

/** `npm run bench -- --only latency`: the per-interval table on the production shape (2 workers) and the hot path. */
export interface LatencyOnlyResults extends BenchRunInfo, FlushIntervalFigures {
  only: 'latency';
  shapes: BenchResults['shapes'];
  p99_latency_ms: number;
  hot_path: HotPathFigures;
  floor_ratio: number;
}

export interface QueryHeadline {
  one_tab_p99_ms: number;
  hundred_tabs_ms: number;
  all_tabs_ms: number;
}

export interface BenchResults extends BenchRunInfo, Partial<PeerComparison>, Partial<FlushIntervalFigures> {
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
  /** From issue 16 on: the flush_intervals row of p99_latency_flush_interval_ms; before it, at the default 1000 ms. */
  latency_offered_events_per_s: number;
  latency_sent_events_per_s: number;
  p50_latency_ms: number;
  p99_latency_ms: number;
  max_latency_ms: number;
  /** Absent from issue 16 on: the same at a quarter of the best end-to-end figure. */
  latency_at_quarter?: { sent_events_per_s: number; p50_ms: number; p99_ms: number; max_ms: number };
  recovery: Array<{ session_timeout_ms: number; partitions_moved: number; claimed_ms: number; recovery_ms: number }>;
  recovery_ms: number;
  recovery_ms_low_session: number;
  bytes_per_counter_state: number;
  bytes_per_state_by_type: Record<string, number>;
  redis_bytes_per_state: number;
  rss_bytes_per_million_states: number;
  profile?: { file: string; top: ProfileRow[]; shares: Record<string, number> };
  /** Absent in runs before issue 11. */
  taba_full?: TabaFullFigures;
  /** Absent in runs before issue 12. */
  query?: QueryHeadline;
  /** Absent in runs before issue 16's floor ratio. */
  hot_path?: HotPathFigures;
  floor_ratio?: number;
}
