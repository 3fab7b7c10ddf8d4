// Which interval's p99 is the results' `p99_latency_ms` (issue 16).
import type { FlushIntervalRow } from './bench-results';

/** The interval whose p99 the headline reports: the shortest holding this rate end to end. */
export const HEADLINE_RATE = 1_000_000;

/**
 * The headline latency: p99 at the shortest interval that holds HEADLINE_RATE
 * end to end (exact); when none does, at the interval with the best rate,
 * and `holds_rate` says so.
 */
export function headlineLatency(rows: Pick<FlushIntervalRow, 'flush_interval_ms' | 'e2e_events_per_s' | 'exact' | 'p99_latency_ms'>[]): { p99_latency_ms: number; flush_interval_ms: number; holds_rate: boolean } {
  const exact = rows.filter((r) => r.exact);
  const holding = exact.filter((r) => r.e2e_events_per_s >= HEADLINE_RATE).sort((a, b) => a.flush_interval_ms - b.flush_interval_ms);
  const pick = holding[0] ?? [...(exact.length > 0 ? exact : rows)].sort((a, b) => b.e2e_events_per_s - a.e2e_events_per_s)[0]!;
  return { p99_latency_ms: pick.p99_latency_ms, flush_interval_ms: pick.flush_interval_ms, holds_rate: holding.length > 0 };
}
