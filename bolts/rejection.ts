import { boundedJson } from './bounded-json';

// Why an input message or event was refused. Machine-readable, so the runtime
// can put it in the dead-letter header and count it per reason in the metrics.
export const REJECT_REASONS = [
  /** Not UTF-8 JSON: bad bytes, empty, null value, or a parse error. */
  'bad-json',
  /** Parsed, but the message (or a batch element) is not a JSON object. */
  'not-an-event',
  'tab-invalid',
  'client-invalid',
  /** `type` missing, not a string, or no handler is registered for it. */
  'type-unknown',
  /** A number value that JSON turned into ±Infinity (e.g. 1e999). */
  'value-not-finite',
  /** Missing, or the wrong JSON type for the handler's valueKind, or too long a string. */
  'value-invalid',
  /** Not an integer of epoch milliseconds in 0..8.64e15. */
  'time-invalid',
  /** Later than the decoding worker's clock plus the tolerance (`maxEventFutureMs`, default 1 h). */
  'time-in-future',
  'id-invalid',
  /** The Tab matches a pattern of the deployed blocklist (`blockedTabs`). */
  'tab-blocked',
  /** The Tab already has another type (a Tab's first type wins); raised by the runtime. */
  'type-mismatch',
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];

export interface Rejection {
  reason: RejectReason;
  /** For humans: what was wrong, with a short preview of the offending value. */
  message: string;
  /** Position in the message's array, when the message was a batch. */
  index?: number;
  /** The offending parsed element (absent for `bad-json`: the raw message is the evidence). */
  raw?: unknown;
}

const PREVIEW_CHARS = 80;

/** A short JSON rendering of a parsed value for rejection messages; never throws, whatever the nesting depth. */
export function preview(value: unknown): string {
  if (value === undefined) return 'missing';
  const { text, complete } = boundedJson(value, PREVIEW_CHARS);
  return complete && text.length <= PREVIEW_CHARS ? text : `${text.slice(0, PREVIEW_CHARS)}…`;
}
