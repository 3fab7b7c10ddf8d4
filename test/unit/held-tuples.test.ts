import { describe, expect, it } from 'vitest';
import { fieldAccess, HeldTupleColumns, HeldTupleList } from '../../topology/runtime/held-tuples';
import { EVENT_FIELDS } from '../../bolts/parse-bolt';

const events = [
  { tab: 'a', type: 'counter', value: 1.5, time: 1_700_000_000_123, client: 'c1', id: undefined },
  { tab: 'a', type: 'counter', value: 2, time: 1_700_000_000_456, client: 'c1', id: 'e-2' },
  { tab: 'b', type: 'buffer', value: 'text', time: 1_700_000_000_789, client: 'c2', id: undefined },
  { tab: 'b', type: 'buffer', value: -0, time: 0, client: 'c2', id: 'e-4' },
];

describe('held tuples', () => {
  it('columns give back every field of every tuple, in order, with its record', () => {
    const held = new HeldTupleColumns(fieldAccess(EVENT_FIELDS));
    events.forEach((e, i) => held.push({ ...e }, 10 + (i >> 1)));
    expect(held.length).toBe(4);
    const seen = [];
    for (let i = 0; i < held.length; i++) seen.push({ tuple: { ...held.get(i) }, at: held.recordOf(i) });
    expect(seen).toEqual(events.map((e, i) => ({ tuple: e, at: 10 + (i >> 1) })));
    expect(Object.is(seen[3]!.tuple.value, -0)).toBe(true);
    // Fields in the declared order (a dead letter's JSON reads as the wire event's).
    expect(Object.keys(held.get(0))).toEqual([...EVENT_FIELDS]);
    expect(JSON.stringify(held.get(1))).toBe(JSON.stringify(events[1]));
  });

  it('columns hand one reused object and keep no field beyond the named ones', () => {
    const held = new HeldTupleColumns(fieldAccess(['tab', 'time']));
    held.push({ tab: 'a', time: 1, extra: true }, 0);
    held.push({ tab: 'b', time: 2 }, 1);
    const first = held.get(0);
    expect(first).toEqual({ tab: 'a', time: 1 });
    const second = held.get(1);
    expect(second).toBe(first);
    expect(second).toEqual({ tab: 'b', time: 2 });
  });

  it('columns cleared for the next slice hold only its tuples', () => {
    const held = new HeldTupleColumns(fieldAccess(EVENT_FIELDS));
    events.forEach((e, i) => held.push({ ...e }, i));
    held.clear();
    expect(held.length).toBe(0);
    held.push({ ...events[2]! }, 7);
    held.push({ ...events[0]! }, 8);
    expect(held.length).toBe(2);
    expect([{ ...held.get(0) }, { ...held.get(1) }]).toEqual([events[2], events[0]]);
    expect([held.recordOf(0), held.recordOf(1)]).toEqual([7, 8]);
  });

  it('a column gives one field of every held tuple, by index, after a clear too', () => {
    const held = new HeldTupleColumns(fieldAccess(EVENT_FIELDS));
    events.forEach((e, i) => held.push({ ...e }, i));
    held.clear();
    held.push({ ...events[3]! }, 0);
    held.push({ ...events[1]! }, 1);
    const column = (field: string) => Array.from({ length: held.length }, (_, i) => held.column(field)![i]);
    expect(column('tab')).toEqual(['b', 'a']);
    expect(column('client')).toEqual(['c2', 'c1']);
    expect(column('time')).toEqual([0, 1_700_000_000_456]);
    expect(column('id')).toEqual(['e-4', 'e-2']);
    expect(held.column('nope')).toBeUndefined();
  });

  it('a field name that is not an identifier is read and written as it is', () => {
    const held = new HeldTupleColumns(fieldAccess(['a-b', "it's", 'x"y']));
    held.push({ 'a-b': 1, "it's": 'two', 'x"y': null }, 3);
    expect(held.get(0)).toEqual({ 'a-b': 1, "it's": 'two', 'x"y': null });
  });

  it('the list gives back the tuples themselves', () => {
    const held = new HeldTupleList();
    const tuples = events.map((e) => ({ ...e }));
    tuples.forEach((t, i) => held.push(t, i));
    expect(held.length).toBe(4);
    for (let i = 0; i < 4; i++) {
      expect(held.get(i)).toBe(tuples[i]);
      expect(held.recordOf(i)).toBe(i);
    }
    expect('column' in held).toBe(false);
  });
});
