import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';

/** The collector's kinds as Prometheus labels them (prom-client's names). */
const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * Seconds this process's garbage collector took, by kind, since it was
 * first asked for: every entry of every batch the observer is given.
 * prom-client's default `nodejs_gc_duration_seconds` observes only the
 * first entry of each batch, and a worker's collections come in batches.
 */
class GcTime {
  readonly seconds: Record<string, number> = { minor: 0, major: 0, incremental: 0, weakcb: 0 };

  constructor() {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.add(entry);
    }).observe({ entryTypes: ['gc'] });
  }

  private add(entry: PerformanceEntry): void {
    const kind = KINDS[((entry as { detail?: { kind?: number } }).detail)?.kind ?? -1] ?? 'other';
    this.seconds[kind] = (this.seconds[kind] ?? 0) + entry.duration / 1000;
  }
}

let gcTime: GcTime | null = null;

/** The process's collector time by kind, in seconds (observed from the first call on). */
export function processGcSeconds(): Readonly<Record<string, number>> {
  gcTime ??= new GcTime();
  return gcTime.seconds;
}
