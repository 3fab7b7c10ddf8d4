import type { Tuple } from '../../contracts/bolt';

/**
 * A message on a repartition topic: the tuples one input record sent to one
 * task of bolt `c`. `s` and `o` name that input record, so the receiving
 * task can drop a re-sent envelope (its sender replayed after a crash): per
 * (repartition topic, source) it keeps the highest position it has folded,
 * and senders emit in offset order on each topic, so anything at or below it
 * on that topic is a duplicate. Not across topics: one source record may
 * reach a task by two topics, and one topic may run ahead of the other.
 */
export interface ForwardEnvelope {
  /** Source input, `topic:partition`. */
  s: string;
  /** Source offset, as a decimal string. */
  o: string;
  /** Target bolt. */
  c: string;
  t: Tuple[];
  /** Part number, when one record's tuples for one task were too large for one message. */
  p?: number;
}

/** The largest envelope the runtime sends; larger sets of tuples are split into parts. */
export const MAX_ENVELOPE_BYTES = 256 * 1024;

/** Encodes the tuples as one envelope, or several parts that each stay under MAX_ENVELOPE_BYTES. */
export function encodeEnvelopes(e: Omit<ForwardEnvelope, 'p'>): Buffer[] {
  const whole = encodeEnvelope(e);
  if (whole.length <= MAX_ENVELOPE_BYTES || e.t.length === 1) return [whole];
  const parts = Math.ceil(whole.length / MAX_ENVELOPE_BYTES) + 1;
  const per = Math.ceil(e.t.length / parts);
  const out: Buffer[] = [];
  for (let i = 0; i * per < e.t.length; i++) out.push(encodeEnvelope({ ...e, t: e.t.slice(i * per, (i + 1) * per), p: i }));
  return out;
}

/** Orders envelopes of one source: by offset, then part. */
export function envelopePosition(e: ForwardEnvelope): number {
  return Number(e.o) * PARTS_PER_OFFSET + (e.p ?? 0);
}

/** Room for parts within one source offset in a position (offsets stay far below 2^53 / 1024). */
export const PARTS_PER_OFFSET = 1024;

export function encodeEnvelope(e: ForwardEnvelope): Buffer {
  return Buffer.from(JSON.stringify(e));
}

export function decodeEnvelope(value: Buffer | null): ForwardEnvelope | null {
  if (value === null) return null;
  try {
    const e = JSON.parse(value.toString('utf8')) as ForwardEnvelope;
    if (typeof e.s !== 'string' || typeof e.o !== 'string' || typeof e.c !== 'string' || !Array.isArray(e.t)) return null;
    if (e.p !== undefined && (!Number.isInteger(e.p) || e.p < 0 || e.p >= PARTS_PER_OFFSET)) return null;
    return e;
  } catch {
    return null;
  }
}
