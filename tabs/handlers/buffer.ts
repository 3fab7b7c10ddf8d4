import type { TabEvent } from '../event';
import type { TabHandler } from './handler';
import { versionedCodec } from '../codec/state-version';

export interface BufferedValue {
  value: number | string;
  time: number;
}

export interface BufferState {
  /** Events folded, all time. */
  count: number;
  /** The latest values, newest first (see compareNewestFirst), at most `size`. */
  entries: BufferedValue[];
}

export type BufferProjection = BufferState;

export interface BufferOptions {
  /** Registered type name; default `buffer`. */
  type?: string;
  /** How many of the latest values to keep; default 10. */
  size?: number;
  /** Values older than this (event time vs `now`) no longer show, and a state of only those may be pruned. */
  expireAfterMs?: number;
}

const FORMAT_VERSION = 1;
const NUMBER = 0;
const STRING = 1;

/**
 * Newest first; among equal times a fixed order of values (numbers before
 * strings, then descending), so which values are kept never depends on the
 * order events arrive or states merge.
 */
export function compareNewestFirst(a: BufferedValue, b: BufferedValue): number {
  if (a.time !== b.time) return b.time - a.time;
  const av = a.value;
  const bv = b.value;
  if (typeof av !== typeof bv) return typeof av === 'number' ? -1 : 1;
  if (av === bv) return Object.is(av, -0) === Object.is(bv, -0) ? 0 : Object.is(av, -0) ? 1 : -1;
  return av > bv ? -1 : 1;
}

/** Inserts in order and drops what falls past `size`. */
function insert(entries: BufferedValue[], entry: BufferedValue, size: number): void {
  let i = entries.length;
  while (i > 0 && compareNewestFirst(entry, entries[i - 1]) < 0) i--;
  if (i >= size) return;
  entries.splice(i, 0, entry);
  if (entries.length > size) entries.length = size;
}

/** The latest N values (numbers or strings) with their event times. */
export function createBufferHandler(options: BufferOptions = {}): TabHandler<BufferState, BufferProjection> {
  const type = options.type ?? 'buffer';
  const size = options.size ?? 10;
  const { expireAfterMs } = options;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`buffer size must be a positive integer, got ${size}`);
  const isLive = (entry: BufferedValue, now: number) => expireAfterMs === undefined || entry.time > now - expireAfterMs;
  const codec = versionedCodec<BufferState>(
    type,
    FORMAT_VERSION,
    (writer, state) => {
      writer.varuint(state.count).varuint(state.entries.length);
      for (const { value, time } of state.entries) {
        writer.varuint(time);
        if (typeof value === 'number') writer.u8(NUMBER).f64(value);
        else writer.u8(STRING).string(value);
      }
    },
    (reader) => {
      const count = reader.varuint();
      const n = reader.varuint();
      if (n > size) reader.fail(`${n} buffered values, more than the size ${size}`);
      const entries: BufferedValue[] = [];
      for (let i = 0; i < n; i++) {
        const time = reader.varuint();
        const tag = reader.u8();
        if (tag === NUMBER) entries.push({ time, value: reader.f64() });
        else if (tag === STRING) entries.push({ time, value: reader.string() });
        else reader.fail(`unknown buffered value tag ${tag}`);
      }
      return { count, entries };
    },
  );
  return {
    type,
    valueKind: 'any',
    newState: () => ({ count: 0, entries: [] }),
    fold(state, event: TabEvent) {
      state.count++;
      insert(state.entries, { value: event.value, time: event.time }, size);
    },
    project: (state, now) => ({ count: state.count, entries: state.entries.filter((e) => isLive(e, now)) }),
    merge(a, b) {
      const entries = a.entries.slice(0, size);
      for (const entry of b.entries) insert(entries, entry, size);
      return { count: a.count + b.count, entries };
    },
    // The latest values across clients, as across events (a Tab's record).
    mergeState(into, from) {
      for (const { value, time } of from.entries) insert(into.entries, { value, time }, size);
      into.count += from.count;
    },
    render(projection) {
      return { values: projection.entries.map(({ value, time }) => ({ value, time })), all: { count: projection.count } };
    },
    shouldPrune: (state, now) => state.count === 0 || (expireAfterMs !== undefined && !state.entries.some((e) => isLive(e, now))),
    ...codec,
  };
}

export const bufferHandler = createBufferHandler();
