import { describe, expect, it } from 'vitest';
import { decodeMessage, MAX_STRING_VALUE_LENGTH } from '../../bolts/wire';
import { checkStickyType } from '../../bolts/sticky-type';
import { HandlerRegistry } from '../../tabs/handlers/registry';
import { counterHandler } from '../../tabs/handlers/counter';
import type { TabHandler } from '../../tabs/handlers/handler';
import type { RejectReason } from '../../bolts/rejection';

const stringType: TabHandler = { ...counterHandler, type: 'strings', valueKind: 'string' };
const anyType: TabHandler = { ...counterHandler, type: 'anything', valueKind: 'any' };
const registry = new HandlerRegistry().register(counterHandler).register(stringType).register(anyType);

const good = { tab: 'bids', type: 'counter', value: 1, time: 1_700_000_000_000, client: 'bidder-1' };

function reasonsOf(message: unknown): RejectReason[] {
  const text = typeof message === 'string' ? message : JSON.stringify(message);
  return decodeMessage(text, registry).rejections.map((r) => r.reason);
}

describe('decodeMessage', () => {
  it('decodes one event, from a string or a Buffer, keeping only the wire fields', () => {
    const withExtra = { ...good, id: 'e-1', extra: 'ignored' };
    for (const input of [JSON.stringify(withExtra), Buffer.from(JSON.stringify(withExtra))]) {
      const { events, rejections } = decodeMessage(input, registry);
      expect(rejections).toEqual([]);
      expect(events).toEqual([{ ...good, id: 'e-1' }]);
      expect(Object.keys(events[0]).sort()).toEqual(['client', 'id', 'tab', 'time', 'type', 'value']);
    }
  });

  it('decodes a batch and keeps the good events beside the bad ones, with their indexes', () => {
    const batch = [good, { ...good, tab: 'bad tab' }, { ...good, value: 2 }, 42, { ...good, time: 1.5 }];
    const { events, rejections } = decodeMessage(JSON.stringify(batch), registry);
    expect(events.map((e) => e.value)).toEqual([1, 2]);
    expect(rejections.map((r) => [r.reason, r.index])).toEqual([
      ['tab-invalid', 1],
      ['not-an-event', 3],
      ['time-invalid', 4],
    ]);
    expect(rejections[0].raw).toEqual(batch[1]);
  });

  it('treats an empty array as an empty batch', () => {
    expect(decodeMessage('[]', registry)).toEqual({ events: [], rejections: [] });
  });

  it('rejects what is not UTF-8 JSON as bad-json, without an index', () => {
    const inputs: Array<Buffer | string | null> = [
      null,
      '',
      '   ',
      '{"tab":',
      'NaN',
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
      Buffer.from([0xc3]),
    ];
    for (const input of inputs) {
      const { events, rejections } = decodeMessage(input, registry);
      expect(events).toEqual([]);
      expect(rejections).toHaveLength(1);
      expect(rejections[0].reason).toBe('bad-json');
      expect(rejections[0].index).toBeUndefined();
      expect(rejections[0].message.length).toBeGreaterThan(0);
    }
  });

  it('accepts a leading byte order mark', () => {
    expect(decodeMessage(`\ufeff${JSON.stringify(good)}`, registry).events).toHaveLength(1);
  });

  it('rejects non-objects as not-an-event', () => {
    for (const message of ['1', '"x"', 'null', 'true', '[[]]', '[null]']) expect(reasonsOf(message)).toEqual(['not-an-event']);
  });

  it.each<[string, Record<string, unknown>, RejectReason]>([
    ['missing tab', { tab: undefined }, 'tab-invalid'],
    ['empty tab', { tab: '' }, 'tab-invalid'],
    ['tab of 201 chars', { tab: 'a'.repeat(201) }, 'tab-invalid'],
    ['tab with a space', { tab: 'a b' }, 'tab-invalid'],
    ['tab with a newline at the end', { tab: 'ab\n' }, 'tab-invalid'],
    ['non-ASCII tab', { tab: 'café' }, 'tab-invalid'],
    ['numeric tab', { tab: 7 }, 'tab-invalid'],
    ['missing client', { client: undefined }, 'client-invalid'],
    ['client with a comma', { client: 'a,b' }, 'client-invalid'],
    ['missing type', { type: undefined }, 'type-unknown'],
    ['unregistered type', { type: 'histogram' }, 'type-unknown'],
    ['type of the wrong case', { type: 'Counter' }, 'type-unknown'],
    ['numeric type', { type: 1 }, 'type-unknown'],
    ['missing value', { value: undefined }, 'value-invalid'],
    ['null value', { value: null }, 'value-invalid'],
    ['string value for a counter', { value: '1' }, 'value-invalid'],
    ['boolean value', { value: true }, 'value-invalid'],
    ['object value', { value: { n: 1 } }, 'value-invalid'],
    ['number for a string type', { type: 'strings', value: 1 }, 'value-invalid'],
    ['too long a string value', { type: 'strings', value: 'x'.repeat(MAX_STRING_VALUE_LENGTH + 1) }, 'value-invalid'],
    ['missing time', { time: undefined }, 'time-invalid'],
    ['fractional time', { time: 1.5 }, 'time-invalid'],
    ['negative time', { time: -1 }, 'time-invalid'],
    ['string time', { time: '1700000000000' }, 'time-invalid'],
    ['time past the Date range', { time: 8.64e15 + 1 }, 'time-invalid'],
    ['empty id', { id: '' }, 'id-invalid'],
    ['id of 129 chars', { id: 'i'.repeat(129) }, 'id-invalid'],
    ['numeric id', { id: 12 }, 'id-invalid'],
    ['id with a lone surrogate', { id: 'a\ud800' }, 'id-invalid'],
    ['string value with a lone surrogate', { type: 'strings', value: '\udc00x' }, 'value-invalid'],
  ])('rejects a %s', (_what, change, reason) => {
    expect(reasonsOf({ ...good, ...change })).toEqual([reason]);
  });

  it('rejects a value that JSON turns into Infinity as value-not-finite', () => {
    expect(reasonsOf('{"tab":"t","type":"counter","value":1e999,"time":1,"client":"c"}')).toEqual(['value-not-finite']);
    expect(reasonsOf('{"tab":"t","type":"counter","value":-1e999,"time":1,"client":"c"}')).toEqual(['value-not-finite']);
  });

  it('accepts the edges of every rule', () => {
    const edges = [
      { tab: 'a'.repeat(200), client: 'A-z_0.9:/-'.repeat(20) },
      { time: 0 },
      { time: 8.64e15 },
      { id: 'i'.repeat(128) },
      { id: null },
      { value: -0.5e-300 },
      { type: 'strings', value: '' },
      { type: 'strings', value: 'ü€😀'.repeat(10) },
      { type: 'anything', value: 'text' },
      { type: 'anything', value: 3.25 },
    ];
    for (const change of edges) expect(reasonsOf({ ...good, ...change })).toEqual([]);
  });

  it('reports a null id as absent', () => {
    expect(decodeMessage(JSON.stringify({ ...good, id: null }), registry).events[0].id).toBeUndefined();
  });

  it('refuses far-future times only when given a clock and a bound', () => {
    const now = good.time;
    const ahead = JSON.stringify({ ...good, time: now + 60_001 });
    expect(decodeMessage(ahead, registry).rejections).toEqual([]);
    const { rejections } = decodeMessage(ahead, registry, { now, maxFutureMs: 60_000 });
    expect(rejections.map((r) => r.reason)).toEqual(['time-in-future']);
    expect(rejections[0].message).toMatch(/later than/);
    // Past the Date range is malformed, not merely early: still time-invalid.
    expect(decodeMessage(JSON.stringify({ ...good, time: 8.64e15 + 1 }), registry, { now, maxFutureMs: 60_000 }).rejections.map((r) => r.reason)).toEqual([
      'time-invalid',
    ]);
    expect(decodeMessage(JSON.stringify({ ...good, time: now + 60_000 }), registry, { now, maxFutureMs: 60_000 }).rejections).toEqual([]);
  });

  it('decodes input of any nesting depth: the deep element is refused, its neighbours kept', () => {
    const depth = 200_000;
    const deep = '['.repeat(depth) + ']'.repeat(depth);
    const one = JSON.stringify(good);
    // A nested element beside good events, a nested value, a nested extra field, and nothing but nesting.
    const batch = `[${one},${deep},${one.replace('"value":1', `"value":${deep}`)},${one.replace('{', `{"extra":${deep},`)},${one}]`;
    const { events, rejections } = decodeMessage(Buffer.from(batch), registry);
    expect(events).toHaveLength(3);
    expect(rejections.map((r) => [r.reason, r.index])).toEqual([
      ['not-an-event', 1],
      ['value-invalid', 2],
    ]);
    for (const r of rejections) expect(r.message.length).toBeLessThan(300);
    expect(decodeMessage(deep, registry).rejections.map((r) => r.reason)).toEqual(['not-an-event']);
    const nestedObjects = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    expect(decodeMessage(`[${nestedObjects},${one}]`, registry).rejections.map((r) => r.reason)).toEqual(['tab-invalid']);
  });

  it('checks each event of a batch on its own even when they share a tab and client', () => {
    const batch = [good, { ...good, client: 'x y' }, { ...good, tab: 'x y' }, good];
    const { events, rejections } = decodeMessage(JSON.stringify(batch), registry);
    expect(events).toHaveLength(2);
    expect(rejections.map((r) => r.reason)).toEqual(['client-invalid', 'tab-invalid']);
  });
});

describe('checkStickyType', () => {
  const event = { ...good };
  it('lets a new Tab or the same type through', () => {
    expect(checkStickyType(undefined, event)).toBeUndefined();
    expect(checkStickyType('counter', event)).toBeUndefined();
  });
  it('refuses another type with type-mismatch', () => {
    const rejection = checkStickyType('gauge', event);
    expect(rejection?.reason).toBe('type-mismatch');
    expect(rejection?.message).toContain('bids');
  });
});
