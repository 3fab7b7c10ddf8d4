import { RecordLatency } from './record-latency';

/** The counter of dead letters sent for one reason: `dead_letters_<reason>` (beside `dead_letters`, their sum). */
const DEAD_LETTER_PREFIX = 'dead_letters_';

export function deadLetterCounter(reason: string): string {
  return `${DEAD_LETTER_PREFIX}${reason}`;
}

/** The reason a counter counts dead letters for, or null for any other counter. */
export function deadLetterReason(counter: string): string | null {
  return counter.startsWith(DEAD_LETTER_PREFIX) ? counter.slice(DEAD_LETTER_PREFIX.length) : null;
}

/** Named counters and gauges of one task; read by status and /metrics. */
export class TaskMetrics {
  readonly counters = new Map<string, number>();
  /** Values that go up and down (the dedup window's size, the states held). */
  readonly gauges = new Map<string, number>();
  /** How old records are when fetched, received, folded and queryable (record-latency.ts). */
  readonly latency = new RecordLatency();

  count(metric: string, by = 1): void {
    this.counters.set(metric, (this.counters.get(metric) ?? 0) + by);
  }

  set(metric: string, value: number): void {
    this.gauges.set(metric, value);
  }

  get(metric: string): number {
    return this.counters.get(metric) ?? this.gauges.get(metric) ?? 0;
  }
}
