// What `npm run bench` measures, at full size or scaled down (--quick).
import { PEER_VARIANTS } from './peer-variants';
import { DEFAULT_CONFIG } from '../topology/config';
import type { WorkloadShape } from './workload';

export interface BenchPlan {
  mode: 'full' | 'quick';
  partitions: number;
  /** Taba's production cardinality (scaled down in quick mode) and a small one. */
  production: WorkloadShape;
  small: WorkloadShape;
  workerCounts: number[];
  /** How many times every throughput run is repeated (interleaved); the best counts. */
  repeats: number;
  /**
   * `--only peers`: the production shape's Tabs and clients with PEERS_EVENTS_FACTOR times its
   * events, so the steady slice of the fastest variants spans several commits (at ~2 M events/s
   * 8 M events are over in 4 s, a slice of two or three 1 s commits).
   */
  peersOnly: WorkloadShape;
  /** Kafka Streams peer variants to run (bench/peer-variants.ts names), per shape. */
  peerVariants: { production: string[]; small: string[] };
  /** The naive consumer stops after this many messages (it is slow). */
  naiveMessages: number;
  latency: { warmupMs: number; measureMs: number };
  /** Checkpoint intervals of the throughput/latency table (issue 16), and throughput runs per interval. */
  flushIntervalsMs: number[];
  flushIntervalRepeats: number;
  /** Session timeouts for recovery runs; undefined is the default. */
  recoverySessions: Array<number | undefined>;
  /** Taba's full production state preloaded in Redis (issue 11), scaled down in quick mode. */
  tabaFull: TabaFullPlan;
}

export interface TabaFullPlan {
  /** Its events; every (Tab, client) state of `tabs` × `clients` is in Redis before the run. */
  shape: WorkloadShape;
  workers: number;
  /** The workers' `--working-set-mib`; undefined leaves the worker's default. */
  workingSetMiB?: number;
}

/** TabClient batches of one Tab from one client. */
const EVENTS_PER_MESSAGE = 50;

const PEERS_EVENTS_FACTOR = 4;

export function benchPlan(quick: boolean): BenchPlan {
  // Quick: a tenth of Taba's cardinality, a quarter of the events.
  const events = quick ? 2_000_000 : 8_000_000;
  const cardinality = quick ? 10 : 1;
  const production: WorkloadShape = {
    name: quick ? 'taba-production/10' : 'taba-production',
    tabs: 20_000 / cardinality,
    clients: 300 / cardinality,
    events,
    eventsPerMessage: EVENTS_PER_MESSAGE,
  };
  return {
    mode: quick ? 'quick' : 'full',
    partitions: 8,
    production,
    peersOnly: { ...production, name: `${production.name} ×${PEERS_EVENTS_FACTOR} events`, events: events * PEERS_EVENTS_FACTOR },
    small: { name: 'small', tabs: 100, clients: 5, events, eventsPerMessage: EVENTS_PER_MESSAGE },
    workerCounts: [1, 2],
    repeats: quick ? 1 : 2,
    // Every variant on the production shape (the ratio is to the best); the small shape keeps the untuned peer's figure.
    peerVariants: { production: PEER_VARIANTS.map((v) => v.name), small: quick ? [] : ['baseline'] },
    naiveMessages: quick ? 4_000 : 20_000,
    // The first ~5 s after the workers start (JIT, heaps growing, every state new) run a p99 of up to 1.3 s
    // at a quarter of the rate; the figure is the steady state after them, and the warm-up's own p99 is reported beside it.
    latency: quick ? { warmupMs: 5_000, measureMs: 6_000 } : { warmupMs: 10_000, measureMs: 30_000 },
    flushIntervalsMs: [100, 250, 1000],
    flushIntervalRepeats: quick ? 1 : 2,
    recoverySessions: [undefined, 1000],
    tabaFull: tabaFullPlan(quick),
  };
}

/**
 * Full: Taba's 20,000 Tabs × 300 clients, 6 M states, and 120 M events:
 * two minutes at 1 M events/s (three at today's 0.6-0.7 M), long enough to
 * meet Redis's AOF rewrites at their steady rate and fill the working set
 * (40 M, ~40 s, could end before either). Quick: 2,000 × 100 (200 k
 * states) with the working set scaled by the same factor (the default 256 MiB × 1/30),
 * so states are fetched and evicted in the same proportion.
 */
function tabaFullPlan(quick: boolean): TabaFullPlan {
  const shape = (name: string, tabs: number, clients: number, events: number): WorkloadShape => ({ name, tabs, clients, events, eventsPerMessage: EVENTS_PER_MESSAGE, trackStates: true });
  return quick
    ? { shape: shape('taba-full/30', 2_000, 100, 8_000_000), workers: 2, workingSetMiB: Math.round(DEFAULT_CONFIG.workingSetMiB / 30) }
    : { shape: shape('taba-full', 20_000, 300, 120_000_000), workers: 2 };
}
