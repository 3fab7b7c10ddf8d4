import type { Tuple } from './bolt';

/**
 * A message on a repartition topic: the tuples one input record sent to one
 * task of bolt `c`. `s` and `o` name that input record, so the receiving
 * task can drop a re-sent envelope (its sender replayed after a crash): per
 * source it keeps the highest offset it has folded, and senders emit in
 * offset order, so anything at or below it is a duplicate.
 */
export interface ForwardEnvelope {
  /** Source input, `topic:partition`. */
  s: string;
  /** Source offset, as a decimal string. */
  o: string;
  /** Target bolt. */
  c: string;
  t: Tuple[];
}

export function encodeEnvelope(e: ForwardEnvelope): Buffer {
  return Buffer.from(JSON.stringify(e));
}

export function decodeEnvelope(value: Buffer | null): ForwardEnvelope | null {
  if (value === null) return null;
  try {
    const e = JSON.parse(value.toString('utf8')) as ForwardEnvelope;
    if (typeof e.s !== 'string' || typeof e.o !== 'string' || typeof e.c !== 'string' || !Array.isArray(e.t)) return null;
    return e;
  } catch {
    return null;
  }
}
