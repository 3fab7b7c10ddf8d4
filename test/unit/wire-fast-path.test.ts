import { describe, expect, it } from 'vitest';
import { decodeMessage, MAX_ID_LENGTH, MAX_STRING_VALUE_LENGTH, MAX_EVENT_TIME } from '../../bolts/wire';
import { decodeFastPath } from '../../bolts/wire-fast-path';
import { defaultRegistry } from '../../tabs/handlers/registry';
import { SeededRandom } from '../../client/seeded-random';

const registry = defaultRegistry();
const limits = { latestAllowed: MAX_EVENT_TIME, maxIdLength: MAX_ID_LENGTH, maxStringValueLength: MAX_STRING_VALUE_LENGTH };
const random = new SeededRandom(42);
const int = (n: number) => Math.floor(random.next() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

const NUMBERS = ['0', '-0', '1', '7', '-3', '0.5', '0.233', '-0.001', '12.25', '1e3', '1E-2', '2.5e+2', '123456789012345', '1234567890123456789', '0.1234567890123456789', '1e999', '-1e999', '1.0', '01', '1.', '.5', '-', '1e', '+1', '00'];
const TIMES = ['1700000000000', '1763771234567', '0', '1.0', '1.5', '-1', '9007199254740993', '8640000000000001', '1e12', '"1700000000000"', 'null'];
const STRINGS = ['"user-1"', '""', '"a b"', '"\\u00e9"', '"\\"q\\""', '"é"', '"tab\\n"', `"${'x'.repeat(MAX_STRING_VALUE_LENGTH + 1)}"`, '"\\ud800"', '"😀"'];
const NAMES = ['"bids"', '"counter.12"', '"a:b/c-d_e.f"', '""', '"bad tab"', '"bidder-1"', `"${'n'.repeat(200)}"`, `"${'n'.repeat(201)}"`, '"tab\\u0041"', '"é"', '7', 'null'];
const TYPES = ['"counter"', '"gauge"', '"percentile"', '"unique"', '"buffer"', '"nope"', '1', '"Counter"'];
const IDS = ['"e-1"', '""', `"${'i'.repeat(MAX_ID_LENGTH)}"`, `"${'i'.repeat(MAX_ID_LENGTH + 1)}"`, 'null', '3', '"\\ud83d"', '"id é"'];
const SPACE = ['', '', '', ' ', '\n', '\t', ' \r\n '];

/** An event as text: mostly well formed, sometimes with odd fields, values, spacing or order. */
function eventText(): string {
  const type = random.next() < 0.9 ? pick(['"counter"', '"unique"', '"percentile"']) : pick(TYPES);
  const odd = random.next() < 0.1;
  const value = type === '"unique"' ? (odd ? pick(STRINGS) : '"user-7"') : odd ? pick(NUMBERS) : pick(['1', '0.233', '-2', '1e3']);
  const fields: Array<[string, string]> = [
    ['tab', random.next() < 0.9 ? pick(['"bids"', '"counter.12"']) : pick(NAMES)],
    ['type', type],
    ['value', random.next() < 0.95 ? value : pick([...NUMBERS, ...STRINGS])],
    ['time', random.next() < 0.85 ? pick(TIMES.slice(0, 2)) : pick(TIMES)],
    ['client', random.next() < 0.9 ? pick(['"bidder-1"', '"c"']) : pick(NAMES)],
  ];
  if (random.next() < 0.4) fields.push(['id', pick(IDS)]);
  if (random.next() < 0.05) fields.push(['extra', '1']);
  if (random.next() < 0.03) fields.push([pick(['tab', 'time', 'value']), pick(['"x"', '1'])]);
  if (random.next() < 0.5) fields.sort(() => random.next() - 0.5);
  if (random.next() < 0.02) fields.pop();
  const sp = () => pick(SPACE);
  return `{${sp()}${fields.map(([k, v]) => `"${k}"${sp()}:${sp()}${v}`).join(`${sp()},${sp()}`)}${sp()}}`;
}

function messageText(): string {
  const roll = random.next();
  if (roll < 0.2) return eventText();
  if (roll < 0.25) return pick(['[]', ' [ ] ', '[1]', '[{}]', '{}', '', ' ', 'null', '[[]]', '[{"tab":"x"}', '\ufeff[]']);
  const events = Array.from({ length: 1 + int(4) }, eventText);
  let text = `[${events.join(pick([',', ', ', ',\n']))}]`;
  if (random.next() < 0.05) text = text.slice(0, int(text.length));
  if (random.next() < 0.05) text += pick([' ', 'x', ',', ']']);
  return text;
}

describe('the decoder fast path', () => {
  it('decodes every message exactly as the general decoder does (or hands it over)', () => {
    let taken = 0;
    for (let i = 0; i < 50_000; i++) {
      const text = messageText();
      const general = decodeMessage(text, registry);
      const viaBytes = decodeMessage(Buffer.from(text), registry);
      expect(viaBytes, text).toEqual(general);
      const fast = decodeFastPath(Buffer.from(text), registry, limits);
      if (fast !== null) {
        taken++;
        expect(general.rejections, text).toEqual([]);
        expect(fast, text).toEqual(general.events);
        // Same shapes too: the fold sees one kind of object whichever path made it.
        for (let e = 0; e < fast.length; e++) expect(Object.keys(fast[e]!)).toEqual(Object.keys(general.events[e]!));
      }
    }
    // Most of these messages are well formed; the fast path must take a good share of them.
    expect(taken).toBeGreaterThan(10_000);
  });

  it('takes the messages producers send', () => {
    const batch = Array.from({ length: 50 }, (_, i) => ({ tab: 'winning_bid_price', type: 'percentile', value: 0.233 + i, time: 1_763_771_234_567 + i, client: 'bidder-2', id: `bidder-2.abc.${i}` }));
    const fast = decodeFastPath(Buffer.from(JSON.stringify(batch)), registry, limits);
    expect(fast).toEqual(batch);
    const unique = { tab: 'unique_users', type: 'unique', value: 'user-17', time: 1_763_771_234_567, client: 'bidder-1' };
    expect(decodeFastPath(Buffer.from(JSON.stringify(unique)), registry, limits)).toEqual([{ ...unique, id: undefined }]);
  });

  it('reads an event laid out like the one before by template, and one that differs in full', () => {
    const e = (fields: Record<string, unknown>) => ({ tab: 'bids', type: 'counter', value: 1, time: 1_700_000_000_000, client: 'c', ...fields });
    const batches = [
      [e({}), e({ value: 2.5 }), e({ value: 7 }), e({ time: 1_700_000_000_001 }), e({ value: 1e21 })],
      [e({ id: 'a' }), e({ id: 'bb' }), e({}), e({ id: 'c' })],
      [e({}), e({ tab: 'asks' }), e({ client: 'd' }), e({ tab: 'bids' })],
      [e({}), { client: 'c', tab: 'bids', type: 'counter', time: 1_700_000_000_000, value: 3 }, e({})],
    ];
    for (const batch of batches) {
      const fast = decodeFastPath(Buffer.from(JSON.stringify(batch)), registry, limits);
      expect(fast).toEqual(batch.map((x) => ({ id: undefined, ...x })));
    }
    const negativeZero = decodeFastPath(Buffer.from(JSON.stringify([e({}), e({ value: 5 })]).replace('"value":5', '"value":-0')), registry, limits);
    expect(Object.is(negativeZero![1]!.value, -0)).toBe(true);
    // A later event that breaks a rule in a template's layout: the whole message goes to the general decoder.
    const unique = (value: unknown) => ({ tab: 'u', type: 'unique', value, time: 1, client: 'c' });
    expect(decodeFastPath(Buffer.from(JSON.stringify([unique('x'), unique(5)])), registry, limits)).toBeNull();
    expect(decodeFastPath(Buffer.from(JSON.stringify([e({}), e({ time: 1.5 })])), registry, limits)).toBeNull();
    expect(decodeFastPath(Buffer.from(JSON.stringify([e({}), e({ value: '1' })])), registry, limits)).toBeNull();
  });

  it('refuses a future time by the limits it is given, as the general decoder does', () => {
    const event = Buffer.from(JSON.stringify({ tab: 't', type: 'counter', value: 1, time: 2_000, client: 'c' }));
    expect(decodeFastPath(event, registry, { ...limits, latestAllowed: 1_999 })).toBeNull();
    expect(decodeMessage(event, registry, { now: 1_000, maxFutureMs: 999 }).rejections.map((r) => r.reason)).toEqual(['time-in-future']);
    expect(decodeMessage(event, registry, { now: 1_000, maxFutureMs: 1_000 }).events).toHaveLength(1);
  });
});
