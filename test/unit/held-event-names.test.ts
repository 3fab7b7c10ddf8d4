import { describe, expect, it } from 'vitest';
import { heldEventNames } from '../../bolts/held-event-names';
import { fieldAccess, HeldTupleColumns, HeldTupleList } from '../../topology/runtime/held-tuples';
import { EVENT_FIELDS } from '../../bolts/parse-bolt';

const events = [
  { tab: 'a', type: 'counter', value: 1, time: 1, client: 'c1', id: undefined },
  { tab: 'b', type: 'unique', value: 'x', time: 2, client: 'c2', id: 'e2' },
  { tab: 'b', type: 'unique', value: 'y', time: 3, client: 'c3', id: undefined },
];

const read = (names: ReturnType<typeof heldEventNames>, length: number) =>
  Array.from({ length }, (_, i) => [names.tabs[i], names.clients[i], names.types[i]]);

describe('held event names', () => {
  const expected = events.map((e) => [e.tab, e.client, e.type]);

  it('are read from the held columns, after a longer slice was cleared', () => {
    const held = new HeldTupleColumns(fieldAccess(EVENT_FIELDS));
    for (const e of [...events, ...events]) held.push({ ...e, tab: `old-${e.tab}` }, 0);
    held.clear();
    events.forEach((e, i) => held.push({ ...e }, i));
    expect(read(heldEventNames(held), held.length)).toEqual(expected);
  });

  it('are copied out of held events when there are no columns', () => {
    const held = new HeldTupleList();
    events.forEach((e, i) => held.push({ ...e }, i));
    expect(read(heldEventNames(held), held.length)).toEqual(expected);
  });

  it('are copied out of the events when the columns lack a field', () => {
    const held = new HeldTupleColumns(fieldAccess(['tab', 'client', 'type']));
    const withoutType = new HeldTupleColumns(fieldAccess(['tab', 'client']));
    events.forEach((e, i) => held.push({ ...e }, i));
    expect(read(heldEventNames(held), held.length)).toEqual(expected);
    events.forEach((e, i) => withoutType.push({ ...e }, i));
    // No `type` column: read through get, which refills only the fields it holds.
    expect(read(heldEventNames(withoutType), withoutType.length).map((r) => r[2])).toEqual([undefined, undefined, undefined]);
  });
});
