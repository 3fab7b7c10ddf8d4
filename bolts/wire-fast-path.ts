// The decoder's fast path: a byte scanner for the messages producers really
// send (ASCII JSON, only the wire fields, no escapes, every event valid). It
// makes no object for the JSON and no string for a Tab, client or type that
// repeats the previous event's bytes, and parses numbers from the bytes.
//
// It never decides anything the general decoder (wire.ts) would decide
// differently: on anything else (non-ASCII bytes, an escape, an unknown or
// repeated field, null, nesting, a number it cannot read exactly, an event
// that breaks a rule, bad JSON) it gives up and returns null, and the whole
// message goes through JSON.parse and the general checks, which produce the
// same events, or the rejections with their reasons.
import type { TabEvent } from '../tabs/event';
import type { HandlerRegistry } from '../tabs/handlers/registry';
import type { TabHandler } from '../tabs/handlers/handler';

const QUOTE = 0x22;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const PLUS = 0x2b;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** Longest Tab name or client id (the wire format's rule). */
const MAX_NAME = 200;
/** Digits read as an exact integer (below 2^53); longer numbers are left to Number(). */
const EXACT_DIGITS = 15;
const POWERS_OF_TEN = Array.from({ length: EXACT_DIGITS + 1 }, (_, i) => 10 ** i);

/** Bytes allowed in a Tab name or client id: [A-Za-z0-9_.:/-]. */
const NAME_BYTE = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:/-') NAME_BYTE[c.charCodeAt(0)] = 1;

// Field bits, for "seen" and "required".
const TAB = 1;
const TYPE = 2;
const VALUE = 4;
const TIME = 8;
const CLIENT = 16;
const ID = 32;
const REQUIRED = TAB | TYPE | VALUE | TIME | CLIENT;

export interface FastPathLimits {
  /** Latest event time accepted (epoch ms). */
  latestAllowed: number;
  maxIdLength: number;
  maxStringValueLength: number;
}

/** A string read from the message and where its bytes were. */
class Remembered {
  value = '';
  start = 0;
  // Empty and impossible (end < start): the first event's string is always read.
  end = -1;

  forget(): void {
    this.value = '';
    this.start = 0;
    this.end = -1;
  }
}

/**
 * Scanner state for one message. Strings of the previous event are kept with
 * where their bytes were, so an event repeating them costs a byte compare.
 */
class Scan {
  at = 0;
  // The number or string range the last read produced.
  number = 0;
  start = 0;
  end = 0;
  readonly tab = new Remembered();
  readonly client = new Remembered();
  readonly type = new Remembered();
  handler: TabHandler | undefined = undefined;
  // The last event read in full, as a template for the next: its bytes, and
  // where its value, time and id tokens were, in the order they came.
  templateStart = -1;
  templateEnd = -1;
  tokens = 0;
  readonly tokenField = new Uint8Array(3);
  readonly tokenStart = new Int32Array(3);
  readonly tokenEnd = new Int32Array(3);

  bytes: Latin1Buffer = EMPTY;
  /** The same bytes, to compare a template's four at a time. */
  view: DataView = EMPTY_VIEW;
  registry: Pick<HandlerRegistry, 'get'> = { get: () => undefined };
  limits: Readonly<FastPathLimits> = { latestAllowed: 0, maxIdLength: 0, maxStringValueLength: 0 };

  /** Ready for a new message. */
  reset(bytes: Latin1Buffer, registry: HandlerRegistry, limits: Readonly<FastPathLimits>): this {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.registry = registry;
    this.limits = limits;
    this.at = 0;
    this.tab.forget();
    this.client.forget();
    this.type.forget();
    this.handler = undefined;
    this.templateStart = -1;
    this.tokens = 0;
    return this;
  }
}

const EMPTY = Buffer.alloc(0) as Latin1Buffer;
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));
/** Decoding is synchronous and never nested: one scanner serves every message. */
const scanner = new Scan();

/** Node's Buffer has latin1Slice (undocumented, but what toString('latin1') calls): ASCII bytes to a string, natively. */
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/** The events of a message, or null when the general decoder must take it. */
export function decodeFastPath(value: Uint8Array, registry: HandlerRegistry, limits: Readonly<FastPathLimits>): TabEvent[] | null {
  const bytes = (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)) as Latin1Buffer;
  const s = scanner.reset(bytes, registry, limits);
  const events: TabEvent[] = [];
  skipSpace(s);
  const first = bytes[s.at];
  if (first === OPEN_OBJECT) {
    if (!readNextEvent(s, events)) return null;
  } else if (first === OPEN_ARRAY) {
    s.at++;
    skipSpace(s);
    if (bytes[s.at] === CLOSE_ARRAY) {
      s.at++;
    } else {
      for (;;) {
        if (bytes[s.at] !== OPEN_OBJECT || !readNextEvent(s, events)) return null;
        skipSpace(s);
        const next = bytes[s.at++];
        if (next === CLOSE_ARRAY) break;
        if (next !== COMMA) return null;
        skipSpace(s);
      }
    }
  } else {
    return null;
  }
  skipSpace(s);
  return s.at === bytes.length ? events : null;
}

function skipSpace(s: Scan): void {
  const { bytes } = s;
  let at = s.at;
  for (;;) {
    const c = bytes[at];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    at++;
  }
  s.at = at;
}

/**
 * Reads `{...}` at s.at into an event: as the template (the previous event)
 * when its bytes repeat the template's but for the value, time and id, else in full.
 */
function readNextEvent(s: Scan, events: TabEvent[]): boolean {
  const start = s.at;
  if (s.templateStart >= 0 && readByTemplate(s, events)) return true;
  s.at = start;
  return readEvent(s, events);
}

/** Reads an event laid out as the template; false (s.at anywhere) when it is not. */
function readByTemplate(s: Scan, events: TabEvent[]): boolean {
  let at = s.at;
  let t = s.templateStart;
  let value: number | string = 0;
  let time = 0;
  let id: string | undefined;
  for (let k = 0; k < s.tokens; k++) {
    const end = s.tokenStart[k]!;
    if (!sameBytes(s, at, t, end - t)) return false;
    at += end - t;
    s.at = at;
    const field = s.tokenField[k];
    if (field === TIME) {
      if (!readNumber(s)) return false;
      time = s.number;
    } else if (field === VALUE) {
      const read = readValue(s);
      if (read === undefined) return false;
      value = read;
    } else {
      id = readId(s);
      if (id === undefined) return false;
    }
    at = s.at;
    t = s.tokenEnd[k]!;
  }
  if (!sameBytes(s, at, t, s.templateEnd - t)) return false;
  s.at = at + s.templateEnd - t;
  return acceptEvent(s, events, value, time, id);
}

/** True when the `length` bytes at `at` are those at `t` (a template's, earlier in the message, so in range): four at a time. */
function sameBytes(s: Scan, at: number, t: number, length: number): boolean {
  if (at + length > s.bytes.length) return false;
  const { view, bytes } = s;
  let i = 0;
  for (; i + 4 <= length; i += 4) if (view.getUint32(at + i) !== view.getUint32(t + i)) return false;
  for (; i < length; i++) if (bytes[at + i] !== bytes[t + i]) return false;
  return true;
}

/** A value token (a number or an ASCII string) at s.at, or undefined. */
function readValue(s: Scan): number | string | undefined {
  if (s.bytes[s.at] === QUOTE) return readAsciiString(s) ? stringOf(s) : undefined;
  return readNumber(s) ? s.number : undefined;
}

/** An id token at s.at within the length limit, or undefined. */
function readId(s: Scan): string | undefined {
  if (s.bytes[s.at] !== QUOTE || !readAsciiString(s)) return undefined;
  const length = s.end - s.start;
  return length === 0 || length > s.limits.maxIdLength ? undefined : stringOf(s);
}

/** Records where a variable token of the event being read in full was. */
function noteToken(s: Scan, field: number, start: number, end: number): void {
  let k = s.tokens++;
  // Kept in order of position (at most 3, arriving in order but for safety sorted).
  while (k > 0 && s.tokenStart[k - 1]! > start) {
    s.tokenField[k] = s.tokenField[k - 1]!;
    s.tokenStart[k] = s.tokenStart[k - 1]!;
    s.tokenEnd[k] = s.tokenEnd[k - 1]!;
    k--;
  }
  s.tokenField[k] = field;
  s.tokenStart[k] = start;
  s.tokenEnd[k] = end;
}

/** Reads `{...}` at s.at into an event, in full; false to give up. On success it is the next template. */
function readEvent(s: Scan, events: TabEvent[]): boolean {
  const { bytes } = s;
  const eventStart = s.at;
  s.templateStart = -1;
  s.tokens = 0;
  s.at++;
  skipSpace(s);
  let seen = 0;
  let value: number | string = 0;
  let time = 0;
  let id: string | undefined;
  if (bytes[s.at] === CLOSE_OBJECT) return false;
  for (;;) {
    if (bytes[s.at] !== QUOTE) return false;
    const field = fieldAt(bytes, s.at + 1);
    if (field === 0 || (seen & field) !== 0) return false;
    seen |= field;
    s.at += KEY_BYTES[field] + 2;
    skipSpace(s);
    if (bytes[s.at++] !== COLON) return false;
    skipSpace(s);
    const c = bytes[s.at];
    const tokenStart = s.at;
    if (field === TIME) {
      if (!readNumber(s)) return false;
      time = s.number;
      noteToken(s, TIME, tokenStart, s.at);
    } else if (field === VALUE) {
      const read = readValue(s);
      if (read === undefined) return false;
      value = read;
      noteToken(s, VALUE, tokenStart, s.at);
    } else if (field === ID) {
      id = readId(s);
      if (id === undefined) return false;
      noteToken(s, ID, tokenStart, s.at);
    } else {
      if (c !== QUOTE) return false;
      if (field === TAB || field === CLIENT) {
        if (!readRemembered(s, field === TAB ? s.tab : s.client, true)) return false;
      } else if (field === TYPE) {
        const known = s.type.start;
        if (!readRemembered(s, s.type, false)) return false;
        if (s.type.start !== known) {
          s.handler = s.registry.get(s.type.value);
          if (s.handler === undefined) return false;
        }
      }
    }
    skipSpace(s);
    const next = bytes[s.at++];
    if (next === CLOSE_OBJECT) break;
    if (next !== COMMA) return false;
    skipSpace(s);
  }
  if ((seen & REQUIRED) !== REQUIRED || !acceptEvent(s, events, value, time, id)) return false;
  s.templateStart = eventStart;
  s.templateEnd = s.at;
  return true;
}

/** Applies the general decoder's rules to an event's value and time; adds it when it would accept it as it is. */
function acceptEvent(s: Scan, events: TabEvent[], value: number | string, time: number, id: string | undefined): boolean {
  const kind = s.handler!.valueKind;
  if (typeof value === 'number') {
    if (kind === 'string' || !Number.isFinite(value)) return false;
  } else if (kind === 'number' || value.length > s.limits.maxStringValueLength) {
    return false;
  }
  if (!Number.isSafeInteger(time) || time < 0 || time > s.limits.latestAllowed) return false;
  events.push({ tab: s.tab.value, type: s.type.value, value, time, client: s.client.value, id });
  return true;
}

/** Bytes of each field's key, by field bit. */
const KEY_BYTES = new Uint8Array(CLIENT * 2 + 1);
KEY_BYTES[TAB] = 3;
KEY_BYTES[TYPE] = 4;
KEY_BYTES[VALUE] = 5;
KEY_BYTES[TIME] = 4;
KEY_BYTES[CLIENT] = 6;
KEY_BYTES[ID] = 2;

/** The field whose key (and closing quote) starts at `at`, or 0 for any other key. */
function fieldAt(bytes: Uint8Array, at: number): number {
  switch (bytes[at]) {
    case 0x74: // t
      if (bytes[at + 1] === 0x61 && bytes[at + 2] === 0x62 && bytes[at + 3] === QUOTE) return TAB;
      if (bytes[at + 1] === 0x79 && bytes[at + 2] === 0x70 && bytes[at + 3] === 0x65 && bytes[at + 4] === QUOTE) return TYPE;
      if (bytes[at + 1] === 0x69 && bytes[at + 2] === 0x6d && bytes[at + 3] === 0x65 && bytes[at + 4] === QUOTE) return TIME;
      return 0;
    case 0x76: // v
      return bytes[at + 1] === 0x61 && bytes[at + 2] === 0x6c && bytes[at + 3] === 0x75 && bytes[at + 4] === 0x65 && bytes[at + 5] === QUOTE ? VALUE : 0;
    case 0x63: // c
      return bytes[at + 1] === 0x6c && bytes[at + 2] === 0x69 && bytes[at + 3] === 0x65 && bytes[at + 4] === 0x6e && bytes[at + 5] === 0x74 && bytes[at + 6] === QUOTE
        ? CLIENT
        : 0;
    case 0x69: // i
      return bytes[at + 1] === 0x64 && bytes[at + 2] === QUOTE ? ID : 0;
    default:
      return 0;
  }
}

/**
 * Reads `"..."` at s.at into s.start..s.end (the bytes between the quotes);
 * false for anything but printable ASCII without escapes.
 */
function readAsciiString(s: Scan): boolean {
  const { bytes } = s;
  const start = s.at + 1;
  let at = start;
  for (;;) {
    const c = bytes[at];
    if (c === QUOTE) break;
    // Also stops at the end of the bytes (undefined).
    if (!(c >= 0x20 && c < 0x7f) || c === BACKSLASH) return false;
    at++;
  }
  s.start = start;
  s.end = at;
  s.at = at + 1;
  return true;
}

/** True when the string at `at` (its opening quote) has the remembered bytes. */
function isRepeated(bytes: Uint8Array, at: number, slot: Remembered): boolean {
  const length = slot.end - slot.start;
  if (length < 0 || bytes[at + 1 + length] !== QUOTE) return false;
  for (let i = 0; i < length; i++) if (bytes[at + 1 + i] !== bytes[slot.start + i]) return false;
  return true;
}

/**
 * Reads the string at s.at (its opening quote): when it repeats the
 * remembered bytes it is skipped, else it becomes the remembered string.
 * False when it is not plain ASCII or, for a wire name, breaks the rule.
 */
function readRemembered(s: Scan, slot: Remembered, isWireName: boolean): boolean {
  if (isRepeated(s.bytes, s.at, slot)) {
    s.at += slot.end - slot.start + 2;
    return true;
  }
  if (!readAsciiString(s)) return false;
  if (isWireName && !isName(s.bytes, s.start, s.end)) return false;
  slot.value = stringOf(s);
  slot.start = s.start;
  slot.end = s.end;
  return true;
}

function stringOf(s: Scan): string {
  return s.bytes.latin1Slice(s.start, s.end);
}

function isName(bytes: Uint8Array, start: number, end: number): boolean {
  if (end === start || end - start > MAX_NAME) return false;
  for (let i = start; i < end; i++) if (NAME_BYTE[bytes[i]] !== 1) return false;
  return true;
}

/**
 * Reads a JSON number at s.at into s.number, exactly as JSON.parse would:
 * up to 15 digits without exponent as integer ÷ 10^k (both exact, so the
 * quotient is the correctly rounded value), anything longer through Number().
 * False when the bytes are not a JSON number.
 */
function readNumber(s: Scan): boolean {
  const { bytes } = s;
  const start = s.at;
  let at = start;
  const negative = bytes[at] === MINUS;
  if (negative) at++;
  let mantissa = 0;
  let digits = 0;
  let c = bytes[at];
  if (c === ZERO) {
    at++;
    digits = 1;
  } else if (c >= 0x31 && c <= NINE) {
    while (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      digits++;
      c = bytes[++at];
    }
  } else {
    return false;
  }
  let fraction = 0;
  if (bytes[at] === DOT) {
    c = bytes[++at];
    if (!(c >= ZERO && c <= NINE)) return false;
    while (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      fraction++;
      c = bytes[++at];
    }
  }
  let exponent = false;
  if (bytes[at] === LOWER_E || bytes[at] === UPPER_E) {
    exponent = true;
    c = bytes[++at];
    if (c === PLUS || c === MINUS) c = bytes[++at];
    if (!(c >= ZERO && c <= NINE)) return false;
    while (c >= ZERO && c <= NINE) c = bytes[++at];
  }
  s.at = at;
  if (exponent || digits + fraction > EXACT_DIGITS) {
    s.start = start;
    s.end = at;
    s.number = Number(stringOf(s));
    return true;
  }
  const magnitude = fraction === 0 ? mantissa : mantissa / POWERS_OF_TEN[fraction]!;
  s.number = negative ? -magnitude : magnitude;
  return true;
}
