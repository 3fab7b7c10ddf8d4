// Throughput and latency per checkpoint interval (issue 16): at each flush
// interval, Tabstream's end-to-end run over a loaded topic (exact aggregates
// checked), then event → queryable latency at two fixed offered loads for
// all intervals (half and a quarter of the best end-to-end figure of this
// set, so the intervals are compared under the same loads). A shorter interval writes checkpoints
// more often: more Redis round trips, and a Tab's record rewritten for every
// few events it gets instead of for every many.
import type { StackAddresses } from './bench-cluster';
import type { FlushIntervalRow } from './bench-results';
import { describeLoopLag } from './event-loop-lag-watch';
import { describeWindowRewrites } from './aof-rewrite-watch';
import { describeStages } from './stage-latency';
import { measureLatency, type LatencyResult } from './latency';
import type { LoadedTopic } from './loaded-topic';
import { tabstreamThroughput } from './tabstream-throughput';

/** A latency run's log line. */
export function latencyLine(interval: number, r: LatencyResult): string {
  return `flush every ${interval} ms at ${Math.round(r.sentEventsPerSecond).toLocaleString('en-US')} events/s: latency p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms (warm-up p99 ${r.warmup.p99Ms} ms); ${describeLoopLag(r.loopLag)}; ${describeStages(r.stages)}; ${describeWindowRewrites(r.aofRewrites)}`;
}

export async function measureFlushIntervals(opts: {
  stack: StackAddresses;
  loaded: LoadedTopic;
  workers: number;
  intervalsMs: number[];
  /** Throughput runs per interval (interleaved across intervals); the best counts. */
  repeats: number;
  latency: { warmupMs: number; measureMs: number };
  log: (line: string) => void;
}): Promise<FlushIntervalRow[]> {
  const { loaded, workers, log } = opts;
  const throughput = new Map<number, { best: number; steady: number; samples: number[]; exact: boolean; problems: string[] }>();
  for (let rep = 0; rep < opts.repeats; rep++) {
    const order = rep % 2 === 0 ? opts.intervalsMs : [...opts.intervalsMs].reverse();
    for (const interval of order) {
      const r = await tabstreamThroughput({ stack: opts.stack, loaded, workers, flushIntervalMs: interval });
      const row = throughput.get(interval) ?? { best: 0, steady: 0, samples: [], exact: true, problems: [] };
      row.best = Math.max(row.best, r.eventsPerSecond);
      row.steady = Math.max(row.steady, r.steadyEventsPerSecond);
      row.samples.push(r.eventsPerSecond);
      if (r.problems.length > 0) {
        row.exact = false;
        row.problems.push(...r.problems);
      }
      throughput.set(interval, row);
      log(`flush every ${interval} ms: ${Math.round(r.eventsPerSecond).toLocaleString('en-US')} events/s end to end (steady ${Math.round(r.steadyEventsPerSecond).toLocaleString('en-US')})${r.problems.length > 0 ? ` WRONG: ${r.problems.slice(0, 3).join('; ')}` : ''}`);
    }
  }
  const best = Math.max(...[...throughput.values()].map((t) => t.best));
  const rows: FlushIntervalRow[] = [];
  for (const interval of opts.intervalsMs) {
    const latencyAt = (eventsPerSecond: number) => measureLatency({ stack: opts.stack, shape: loaded.shape, partitions: loaded.partitions, workers, eventsPerSecond, flushIntervalMs: interval, ...opts.latency });
    const l = await latencyAt(best / 2);
    log(latencyLine(interval, l));
    // The producer, the broker and the workers share two cores: at half the best rate they are nearly saturated, and a quarter shows the latency without that queueing.
    const q = await latencyAt(best / 4);
    log(latencyLine(interval, q));
    const t = throughput.get(interval)!;
    rows.push({
      flush_interval_ms: interval,
      e2e_events_per_s: t.best,
      steady_events_per_s: t.steady,
      samples: t.samples,
      exact: t.exact,
      ...(t.problems.length > 0 ? { problems: t.problems.slice(0, 10) } : {}),
      latency_offered_events_per_s: l.offeredEventsPerSecond,
      latency_sent_events_per_s: l.sentEventsPerSecond,
      p50_latency_ms: l.p50Ms,
      p99_latency_ms: l.p99Ms,
      max_latency_ms: l.maxMs,
      latency_samples: l.samples,
      loop_lag: l.loopLag,
      warmup_p99_latency_ms: l.warmup.p99Ms,
      stages: l.stages,
      ...(l.aofRewrites === null ? {} : { aof_rewrites: l.aofRewrites }),
      at_quarter: {
        sent_events_per_s: q.sentEventsPerSecond,
        p50_ms: q.p50Ms,
        p99_ms: q.p99Ms,
        max_ms: q.maxMs,
        loop_lag: q.loopLag,
        warmup_p99_ms: q.warmup.p99Ms,
        stages: q.stages,
        ...(q.aofRewrites === null ? {} : { aof_rewrites: q.aofRewrites }),
      },
    });
  }
  return rows;
}
