// The wire format v1 decoder (DESIGN.md, "Event wire format"): a Kafka message
// value is UTF-8 JSON, one event object or an array of them. Every event is
// checked on its own, so a bad one is rejected with a reason while the good
// ones beside it in the batch still go through. This is the hot path: no
// closures per event, precompiled patterns, and a batch's repeated tab and
// client strings are checked once.
import { isUtf8 } from 'node:buffer';
import { WIRE_NAME_PATTERN } from '../client/wire-names';
import type { TabEvent } from '../tabs/event';
import type { HandlerRegistry } from '../tabs/handlers/registry';
import { preview, type RejectReason, type Rejection } from './rejection';
import { decodeFastPath, type FastPathLimits } from './wire-fast-path';

export const MAX_ID_LENGTH = 128;
/** The wire format does not bound string values; this keeps one event from bloating a state. */
export const MAX_STRING_VALUE_LENGTH = 4096;
/** The largest epoch millisecond a JavaScript Date can hold. */
export const MAX_EVENT_TIME = 8.64e15;

export interface DecodeOptions {
  /** With `maxFutureMs`: refuse events stamped further ahead of this clock (epoch ms). */
  now?: number;
  /**
   * Refuse (as `time-in-future`) an event whose time is more than this ahead
   * of `now`: one event from a client with a broken clock would otherwise roll
   * every window of its Tab forward and the dedup window past every real
   * event. Off unless both are given (the parse bolt gives both).
   */
  maxFutureMs?: number;
}

export interface DecodedMessage {
  events: TabEvent[];
  rejections: Rejection[];
}

const BYTE_ORDER_MARK = 0xfeff;
// JSON may carry lone UTF-16 surrogates ("\ud800"); UTF-8 (Redis, the hash)
// cannot, and would turn distinct values into the same U+FFFD. In u-mode a
// proper pair is one code point, so this matches lone surrogates only.
const LONE_SURROGATE = /\p{Surrogate}/u;
// Never equal to a parsed JSON value, so the first event is always checked in full.
const NOTHING_VALID_YET = Symbol('nothing valid yet');
const NAME_RULE = '1..200 chars of [A-Za-z0-9_.:/-]';

/** Per-message scratch: the last tab and client that passed, so a batch checks each once. */
interface DecodeScratch {
  registry: HandlerRegistry;
  latestAllowed: number;
  validTab: unknown;
  validClient: unknown;
  events: TabEvent[];
  rejections: Rejection[];
}

const DEFAULT_LIMITS: Readonly<FastPathLimits> = { latestAllowed: MAX_EVENT_TIME, maxIdLength: MAX_ID_LENGTH, maxStringValueLength: MAX_STRING_VALUE_LENGTH };
const BOUNDED_LIMITS: FastPathLimits = { ...DEFAULT_LIMITS };

export function decodeMessage(
  value: Buffer | Uint8Array | string | null | undefined,
  registry: HandlerRegistry,
  options?: DecodeOptions,
): DecodedMessage {
  const latestAllowed = options?.now !== undefined && options.maxFutureMs !== undefined ? options.now + options.maxFutureMs : MAX_EVENT_TIME;
  // Bytes as producers send them take the fast path; it hands anything unusual back (null).
  if (value !== null && value !== undefined && typeof value !== 'string') {
    let limits: Readonly<FastPathLimits> = DEFAULT_LIMITS;
    if (latestAllowed !== MAX_EVENT_TIME) {
      // One object reused for every message (decoding is synchronous): no allocation per message.
      BOUNDED_LIMITS.latestAllowed = latestAllowed;
      limits = BOUNDED_LIMITS;
    }
    const fast = decodeFastPath(value, registry, limits);
    if (fast !== null) return { events: fast, rejections: [] };
  }
  const events: TabEvent[] = [];
  const rejections: Rejection[] = [];
  const text = messageText(value, rejections);
  if (text === undefined) return { events, rejections };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const message = text.trim().length === 0 ? 'empty message' : `not JSON: ${(err as Error).message}`;
    rejections.push({ reason: 'bad-json', message });
    return { events, rejections };
  }
  const scratch: DecodeScratch = {
    registry,
    latestAllowed,
    validTab: NOTHING_VALID_YET,
    validClient: NOTHING_VALID_YET,
    events,
    rejections,
  };
  if (Array.isArray(parsed)) {
    for (let i = 0; i < parsed.length; i++) decodeEvent(parsed[i], i, scratch);
  } else {
    decodeEvent(parsed, undefined, scratch);
  }
  return { events, rejections };
}

/** The message as a string, or undefined after recording why it is not UTF-8 text. */
function messageText(value: Buffer | Uint8Array | string | null | undefined, rejections: Rejection[]): string | undefined {
  let text: string;
  if (value === null || value === undefined) {
    rejections.push({ reason: 'bad-json', message: 'empty message (null value)' });
    return undefined;
  }
  if (typeof value === 'string') {
    text = value;
  } else {
    const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (!isUtf8(bytes)) {
      rejections.push({ reason: 'bad-json', message: 'message is not valid UTF-8' });
      return undefined;
    }
    text = bytes.toString('utf8');
  }
  return text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text;
}

function reject(scratch: DecodeScratch, reason: RejectReason, message: string, index: number | undefined, raw: unknown): void {
  const rejection: Rejection = { reason, message, raw };
  if (index !== undefined) rejection.index = index;
  scratch.rejections.push(rejection);
}

function decodeEvent(raw: unknown, index: number | undefined, scratch: DecodeScratch): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    reject(scratch, 'not-an-event', `an event must be a JSON object, got ${preview(raw)}`, index, raw);
    return;
  }
  const fields = raw as Record<string, unknown>;

  const tab = fields.tab;
  if (tab !== scratch.validTab) {
    if (typeof tab !== 'string' || !WIRE_NAME_PATTERN.test(tab)) {
      reject(scratch, 'tab-invalid', `tab must be ${NAME_RULE}, got ${preview(tab)}`, index, raw);
      return;
    }
    scratch.validTab = tab;
  }

  const client = fields.client;
  if (client !== scratch.validClient) {
    if (typeof client !== 'string' || !WIRE_NAME_PATTERN.test(client)) {
      reject(scratch, 'client-invalid', `client must be ${NAME_RULE}, got ${preview(client)}`, index, raw);
      return;
    }
    scratch.validClient = client;
  }

  const type = fields.type;
  const handler = typeof type === 'string' ? scratch.registry.get(type) : undefined;
  if (handler === undefined) {
    const known = scratch.registry.types().join(', ');
    reject(scratch, 'type-unknown', `type ${preview(type)} is not a registered type (${known})`, index, raw);
    return;
  }

  const value = fields.value;
  const kind = handler.valueKind;
  if (typeof value === 'number') {
    if (kind === 'string') {
      reject(scratch, 'value-invalid', `a ${type} value must be a string, got ${preview(value)}`, index, raw);
      return;
    }
    if (!Number.isFinite(value)) {
      // JSON has no Infinity literal, but 1e999 parses to it.
      reject(scratch, 'value-not-finite', `value must be a finite number`, index, raw);
      return;
    }
  } else if (typeof value === 'string') {
    if (kind === 'number') {
      reject(scratch, 'value-invalid', `a ${type} value must be a number, got ${preview(value)}`, index, raw);
      return;
    }
    if (value.length > MAX_STRING_VALUE_LENGTH) {
      reject(scratch, 'value-invalid', `a string value may have at most ${MAX_STRING_VALUE_LENGTH} chars, got ${value.length}`, index, raw);
      return;
    }
    if (LONE_SURROGATE.test(value)) {
      reject(scratch, 'value-invalid', `a string value must be well-formed Unicode (it has a lone surrogate)`, index, raw);
      return;
    }
  } else {
    const expected = kind === 'any' ? 'a number or a string' : `a ${kind}`;
    reject(scratch, 'value-invalid', `a ${type} value must be ${expected}, got ${preview(value)}`, index, raw);
    return;
  }

  const time = fields.time;
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0 || time > scratch.latestAllowed) {
    if (typeof time === 'number' && Number.isSafeInteger(time) && time > scratch.latestAllowed && time <= MAX_EVENT_TIME) {
      reject(scratch, 'time-in-future', `time is later than the latest accepted (${scratch.latestAllowed}: now plus the tolerance), got ${time}`, index, raw);
    } else {
      reject(scratch, 'time-invalid', `time must be an integer of epoch milliseconds in 0..${MAX_EVENT_TIME}, got ${preview(time)}`, index, raw);
    }
    return;
  }

  // Producers in other languages often write an absent optional as null.
  let id = fields.id;
  if (id === null) id = undefined;
  if (id !== undefined && (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH || LONE_SURROGATE.test(id))) {
    reject(scratch, 'id-invalid', `id must be a well-formed string of 1..${MAX_ID_LENGTH} chars, got ${preview(id)}`, index, raw);
    return;
  }

  scratch.events.push({ tab: tab as string, type: type as string, value, time, client: client as string, id: id as string | undefined });
}
