// A hostile stream for the bad-input tests: valid counter events (no ids)
// interleaved with every kind of bad input a topic can carry, and what the
// pipeline must make of it, computed here from the construction alone: the
// exact totals per Tab, and the dead letters per reason.
import { SeededRandom } from '../../client/seeded-random';
import type { Expected } from './event-loader';

export interface HostileMessage {
  key: string | null;
  value: Buffer | null;
}

export interface HostileStream {
  messages: HostileMessage[];
  /** count and total per counter Tab. */
  expected: Expected;
  /** Dead letters per `tabstream-reason`. */
  deadLetters: Map<string, number>;
  /** Valid events in the stream. */
  validEvents: number;
}

/** Kafka's default message.max.bytes is 1,048,588 (a record batch); the large messages stay under it. */
export const LARGE_MESSAGE_BYTES = 1_000_000;
const DEPTH = 12_000;
const FAR_FUTURE_MS = 10 * 365 * 24 * 3600 * 1000;

/** Valid Tabs: ordinary names and the names of Object.prototype's members (valid names: counted, not dead-lettered). */
const TABS = ['v_0', 'v_1', 'v_2', 'v_3', 'v_4', 'v_5', 'v_6', 'v_7', 'page:/home', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
const CLIENTS = ['c-1', 'c-2', '__proto__'];

export function hostileStream(opts: { messages: number; seed?: number; time: number }): HostileStream {
  const random = new SeededRandom(opts.seed ?? 9);
  const { time } = opts;
  const expected: Expected = new Map();
  const deadLetters = new Map<string, number>();
  const messages: HostileMessage[] = [];
  let validEvents = 0;
  const dead = (reason: string, n = 1): void => void deadLetters.set(reason, (deadLetters.get(reason) ?? 0) + n);
  const pick = <T>(list: readonly T[]): T => list[random.int(0, list.length - 1)]!;
  /** A valid event's JSON, counted in `expected`. */
  const valid = (tab: string): string => {
    const value = random.int(1, 10);
    const e = expected.get(tab) ?? { count: 0, total: 0 };
    e.count++;
    e.total += value;
    expected.set(tab, e);
    validEvents++;
    return `{"tab":${JSON.stringify(tab)},"type":"counter","value":${value},"time":${time},"client":${JSON.stringify(pick(CLIENTS))}}`;
  };
  const text = (key: string | null, value: string): void => void messages.push({ key, value: Buffer.from(value) });
  const deep = '['.repeat(DEPTH) + ']'.repeat(DEPTH);
  // Bad elements of a batch, each with the reason it must be dead-lettered with.
  const badElements: Array<[string, () => string]> = [
    ['tab-invalid', () => `{"tab":"v_1 x","type":"counter","value":1,"time":${time},"client":"c-1"}`],
    ['client-invalid', () => `{"tab":"v_1","type":"counter","value":1,"time":${time},"client":"bidder 7"}`],
    ['value-not-finite', () => `{"tab":"v_2","type":"counter","value":1e400,"time":${time},"client":"c-1"}`],
    ['time-in-future', () => `{"tab":"v_3","type":"counter","value":1,"time":${time + FAR_FUTURE_MS},"client":"c-1"}`],
    ['type-unknown', () => `{"tab":"v_4","type":"counterz","value":1,"time":${time},"client":"c-1"}`],
    ['value-invalid', () => `{"tab":"v_5","type":"counter","value":${'['.repeat(200)}${']'.repeat(200)},"time":${time},"client":"c-1"}`],
    ['not-an-event', () => `[[[[[[1]]]]]]`],
  ];

  // Two messages of about 1 MB: a batch of ~9,000 valid events with one bad element, and a single event whose Tab is ~1 MB.
  {
    const tab = 'v_large';
    const parts: string[] = [];
    let bytes = 2;
    for (;;) {
      const bad = badElements[0]![1]();
      if (bytes + 200 + bad.length > LARGE_MESSAGE_BYTES) {
        parts.splice(Math.floor(parts.length / 2), 0, bad);
        dead('tab-invalid');
        break;
      }
      const v = valid(tab);
      parts.push(v);
      bytes += v.length + 1;
    }
    text(tab, `[${parts.join(',')}]`);
    const head = `{"tab":"`;
    const tail = `","type":"counter","value":1,"time":${time},"client":"c-1"}`;
    text('huge', head + 'h'.repeat(LARGE_MESSAGE_BYTES - head.length - tail.length) + tail);
    dead('tab-invalid');
  }

  while (messages.length < opts.messages) {
    const roll = random.next();
    if (roll < 0.5) {
      // A client's batch of one Tab, keyed by it.
      const tab = pick(TABS);
      const n = random.int(1, 8);
      text(tab, n === 1 && random.next() < 0.5 ? valid(tab) : `[${Array.from({ length: n }, () => valid(tab)).join(',')}]`);
    } else if (roll < 0.65) {
      // Valid events with bad elements between them.
      const tab = pick(TABS);
      const parts: string[] = [];
      for (let i = random.int(2, 8); i > 0; i--) {
        if (random.next() < 0.4) {
          const [reason, make] = pick(badElements);
          parts.push(make());
          dead(reason);
        } else {
          parts.push(valid(tab));
        }
      }
      text(tab, `[${parts.join(',')}]`);
    } else if (roll < 0.75) {
      // Random bytes (with a byte that is never UTF-8, so never JSON by chance).
      const bytes = Buffer.alloc(random.int(1, 300));
      for (let i = 0; i < bytes.length; i++) bytes[i] = random.int(0, 255);
      bytes[random.int(0, bytes.length - 1)] = 0xff;
      messages.push({ key: random.next() < 0.5 ? null : `r${random.int(0, 99)}`, value: bytes });
      dead('bad-json');
    } else if (roll < 0.8) {
      // An event with invalid UTF-8 in its Tab.
      messages.push({ key: 'v_1', value: Buffer.concat([Buffer.from('{"tab":"v_'), Buffer.from([0xc3, 0x28]), Buffer.from(`","type":"counter","value":1,"time":${time},"client":"c-1"}`)]) });
      dead('bad-json');
    } else if (roll < 0.805) {
      // Nesting 12,000 deep, alone or beside valid events.
      const tab = pick(TABS);
      if (random.next() < 0.5) text(null, deep);
      else text(tab, `[${valid(tab)},${deep},${valid(tab)}]`);
      dead('not-an-event');
    } else if (roll < 0.9) {
      // One bad event alone: a name with spaces, 1e400, a far-future time...
      const [reason, make] = pick(badElements);
      text(pick(['v_1', 'v_1 x', 'k']), make());
      dead(reason);
    } else if (roll < 0.92) {
      // Not JSON, empty, or null.
      const r = random.int(0, 3);
      messages.push({ key: 'v_0', value: r === 0 ? null : Buffer.from(['', '{"tab":', 'NaN'][r - 1]!) });
      dead('bad-json');
    } else {
      // A batch of Tabs mixed in one unkeyed message, as a foreign producer may send.
      const parts = Array.from({ length: random.int(2, 10) }, () => valid(pick(TABS)));
      text(null, `[${parts.join(',')}]`);
    }
  }
  return { messages, expected, deadLetters, validEvents };
}
