import type { TabEvent } from '../event';
import type { TabHandler } from './handler';
import { versionedCodec } from '../codec/state-version';

export interface GaugeState {
  /** Events folded, all time. */
  count: number;
  value: number;
  /** Event time of `value`; -1 before the first event. */
  time: number;
}

export interface GaugeProjection {
  count: number;
  /** The latest value, or null when there is none (or it expired). */
  value: number | null;
  time: number | null;
}

export interface GaugeOptions {
  /** Registered type name; default `gauge`. */
  type?: string;
  /** A value older than this (event time vs `now`) no longer shows, and its state may be pruned. */
  expireAfterMs?: number;
}

const FORMAT_VERSION = 1;

/**
 * True when (time, value) is later than (otherTime, otherValue): the later
 * time wins, a tie goes to the larger value (0 over -0), so the result never
 * depends on the order events arrive or states merge.
 */
function isLater(time: number, value: number, otherTime: number, otherValue: number): boolean {
  if (time !== otherTime) return time > otherTime;
  return value > otherValue || (value === 0 && otherValue === 0 && Object.is(otherValue, -0) && !Object.is(value, -0));
}

/** The last value by event time and when it was recorded (latest wins across clients, too). */
export function createGaugeHandler(options: GaugeOptions = {}): TabHandler<GaugeState, GaugeProjection> {
  const type = options.type ?? 'gauge';
  const { expireAfterMs } = options;
  const isExpired = (time: number, now: number) => expireAfterMs !== undefined && time <= now - expireAfterMs;
  const codec = versionedCodec<GaugeState>(
    type,
    FORMAT_VERSION,
    (writer, state) => {
      writer.varuint(state.count);
      if (state.count > 0) writer.varuint(state.time).f64(state.value);
    },
    (reader) => {
      const count = reader.varuint();
      return count === 0 ? { count, value: 0, time: -1 } : { count, time: reader.varuint(), value: reader.f64() };
    },
  );
  return {
    type,
    valueKind: 'number',
    newState: () => ({ count: 0, value: 0, time: -1 }),
    fold(state, event: TabEvent) {
      const value = event.value as number;
      state.count++;
      if (state.count === 1 || isLater(event.time, value, state.time, state.value)) {
        state.time = event.time;
        state.value = value;
      }
    },
    project(state, now) {
      const live = state.count > 0 && !isExpired(state.time, now);
      return { count: state.count, value: live ? state.value : null, time: live ? state.time : null };
    },
    merge(a, b) {
      const count = a.count + b.count;
      if (b.value === null || b.time === null) return { ...a, count };
      if (a.value === null || a.time === null) return { ...b, count };
      return isLater(b.time, b.value, a.time, a.value) ? { ...b, count } : { ...a, count };
    },
    // Across clients as across events: the latest value wins, counts add up (a Tab's record).
    mergeState(into, from) {
      if (from.count === 0) return;
      if (into.count === 0 || isLater(from.time, from.value, into.time, into.value)) {
        into.time = from.time;
        into.value = from.value;
      }
      into.count += from.count;
    },
    render(projection) {
      const { count, value, time } = projection;
      return { value, time, all: { count, value, time } };
    },
    shouldPrune: (state, now) => state.count === 0 || isExpired(state.time, now),
    ...codec,
  };
}

export const gaugeHandler = createGaugeHandler();
