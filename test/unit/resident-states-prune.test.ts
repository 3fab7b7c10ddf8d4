// A task's working set judges its frozen states for pruning: from their bytes
// where the handler can (prunesStored), so a Tab record's sketches are not
// decoded a few thousand times a second; by deserializing them otherwise.
import { describe, expect, it, vi } from 'vitest';
import type { TabHandler } from '../../tabs/handlers/handler';
import { defaultRegistry } from '../../tabs/handlers/registry';
import { ResidentStates } from '../../bolts/resident-states';
import { storedState } from '../../bolts/tab-state';

const DAY = 86_400_000;
const NOW = 1_700_000_000_000;
const STALE_AFTER = 2 * DAY;

/** The counter handler with a counted deserialize, and with or without its prunesStored. */
function countingCounter(fromBytes: boolean): { handler: TabHandler; deserialized: () => number } {
  const counter = defaultRegistry().get('counter')!;
  const deserialize = vi.fn(counter.deserialize);
  const handler: TabHandler = { ...counter, deserialize, prunesStored: fromBytes ? counter.prunesStored : undefined };
  return { handler, deserialized: () => deserialize.mock.calls.length };
}

/** Counter states with one event each at the given ages, all frozen. */
function frozenStates(handler: TabHandler, ages: Record<string, number>): ResidentStates {
  const resident = new ResidentStates(undefined, () => ({ type: 'counter', handler }));
  for (const [client, age] of Object.entries(ages)) {
    const state = handler.newState();
    handler.fold(state, { tab: 't', type: 'counter', value: 1, time: NOW - age, client });
    const entry = storedState('t', client, 'counter', handler, handler.serialize(state), undefined);
    entry.used = false;
    resident.add(entry);
  }
  resident.durableInterval = 0;
  resident.freezeLap();
  return resident;
}

function prune(resident: ResidentStates, handler: TabHandler): string[] {
  const deleted: string[] = [];
  resident.prune(
    100,
    (h, state) => h.shouldPrune(state, NOW) || h.isStale!(state, NOW, STALE_AFTER),
    (_tab, client) => deleted.push(client),
    (h, bytes) => h.prunesStored?.(bytes, NOW, STALE_AFTER),
  );
  return deleted.sort();
}

describe('ResidentStates.prune of frozen states', () => {
  it('deletes the stale ones judged from their bytes, decoding none', () => {
    const { handler, deserialized } = countingCounter(true);
    const resident = frozenStates(handler, { fresh: 60_000, old: 3 * DAY, older: 9 * DAY });
    const before = deserialized();
    expect(prune(resident, handler)).toEqual(['old', 'older']);
    expect(deserialized()).toBe(before);
    expect(resident.size).toBe(1);
    expect(resident.holds('t', 'fresh')).toBe(true);
  });

  it('decodes them to judge where the handler cannot tell from bytes, with the same verdicts', () => {
    const { handler, deserialized } = countingCounter(false);
    const resident = frozenStates(handler, { fresh: 60_000, old: 3 * DAY, older: 9 * DAY });
    const before = deserialized();
    expect(prune(resident, handler)).toEqual(['old', 'older']);
    expect(deserialized() - before).toBe(3);
  });
});
