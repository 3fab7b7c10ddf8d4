// A Tab record is written whole (its base) or as a delta beside the base;
// whatever was written, the base merged with the delta Redis holds must be
// the record, and reading them back must give a record that goes on the same.
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../bolts/handlers/registry';
import { writeRecord } from '../../bolts/record-write';
import { asRecord, changing, newState, storedRecord, type TabState } from '../../bolts/tab-state';
import { emptyDraft } from '../../topology/runtime/checkpoint-draft';

const handler = defaultRegistry().get('unique')!;
const NOW = 1_700_000_000_000;

/** Redis's states hash, as checkpoint.lua leaves it: writes, then deletions. */
function apply(stored: Map<string, Uint8Array>, entry: TabState): { wrote: string[] } {
  const draft = emptyDraft();
  writeRecord(entry, draft);
  for (const s of draft.states) stored.set(s.client, s.bytes);
  for (const d of draft.deleted) stored.delete(d.client);
  return { wrote: draft.states.map((s) => s.client) };
}

function fold(entry: TabState, from: number, n: number): void {
  for (let i = from; i < from + n; i++) {
    const event = { tab: 't', type: 'unique', value: `user-${i}`, time: NOW + i, client: 'c' };
    handler.fold(changing(entry), event);
    handler.fold(entry.delta, event);
  }
}

describe('Tab record writes', () => {
  it('writes a small record whole, then deltas, then the base again once the delta is a quarter of it; base and delta always merge to the record', () => {
    const record = asRecord(newState('t', '*', 'unique', handler, undefined), undefined, false);
    const stored = new Map<string, Uint8Array>();
    const writes: string[] = [];
    let next = 0;
    for (let round = 0; round < 60; round++) {
      fold(record, next, round < 5 ? 300 : 7);
      next += round < 5 ? 300 : 7;
      writes.push(...apply(stored, record).wrote);
      // What Redis holds, read back, is the record.
      const back = storedRecord('t', '*', 'unique', handler, stored.get('*')!, stored.get('*+') ?? null, undefined);
      expect(handler.serialize(back.state)).toEqual(handler.serialize(record.state));
      expect(back.storedDelta).toBe(stored.has('*+'));
    }
    expect(writes).toContain('*+');
    // The base is written again now and then (the delta reached a quarter of it).
    expect(writes.slice(10).filter((w) => w === '*').length).toBeGreaterThan(0);
    expect(writes.filter((w) => w === '*+').length).toBeGreaterThan(writes.filter((w) => w === '*').length);
  });

  it('a record read back from base and delta goes on as the one that wrote them', () => {
    const record = asRecord(newState('t', '*', 'unique', handler, undefined), undefined, false);
    const stored = new Map<string, Uint8Array>();
    fold(record, 0, 2000);
    apply(stored, record);
    fold(record, 2000, 20);
    expect(apply(stored, record).wrote).toEqual(['*+']);
    // Another worker takes over from what Redis holds, and both fold the same events.
    const taker = storedRecord('t', '*', 'unique', handler, stored.get('*')!, stored.get('*+')!, undefined);
    fold(record, 2020, 30);
    fold(taker, 2020, 30);
    const takerStored = new Map(stored);
    apply(stored, record);
    apply(takerStored, taker);
    const merged = (s: Map<string, Uint8Array>) => storedRecord('t', '*', 'unique', handler, s.get('*')!, s.get('*+') ?? null, undefined);
    expect(handler.serialize(merged(takerStored).state)).toEqual(handler.serialize(merged(stored).state));
    expect(handler.project(merged(takerStored).state, NOW + 5000)).toEqual(handler.project(record.state, NOW + 5000));
  });
});
