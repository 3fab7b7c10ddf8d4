// The freezing hand: a client state unused for one lap is frozen, a Tab
// record (every event of its Tab folds into it) only after RECORD_IDLE_LAPS
// laps unused, and any use starts its count again.
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../tabs/handlers/registry';
import { ResidentStates } from '../../bolts/resident-states';
import { storedState, type TabState } from '../../bolts/tab-state';
import { RECORD_CLIENT } from '../../state/redis-keys';
import { WorkingSet } from '../../contracts/working-set';

const counter = defaultRegistry().get('counter')!;

function held(resident: ResidentStates, client: string): TabState {
  const state = counter.newState();
  counter.fold(state, { tab: 't', type: 'counter', value: 7, time: 1_700_000_000_000, client });
  const entry = storedState('t', client, 'counter', counter, counter.serialize(state), undefined);
  entry.used = false;
  resident.add(entry);
  return entry;
}

/** Whether the entry is still the thawed one (a frozen state comes back as a new entry). */
const stillThawed = (resident: ResidentStates, entry: TabState): boolean => resident.find(entry.tab, entry.client) === entry;

function setUp(): { resident: ResidentStates; client: TabState; record: TabState } {
  const resident = new ResidentStates(undefined, () => ({ type: 'counter', handler: counter }));
  const client = held(resident, 'c');
  const record = held(resident, RECORD_CLIENT);
  resident.durableInterval = 0;
  return { resident, client, record };
}

describe('ResidentStates.freezeLap', () => {
  it('freezes a client state after one idle lap, a Tab record only after five', () => {
    const { resident, client, record } = setUp();
    resident.freezeLap();
    expect(resident.find('t', 'c')).not.toBe(client);
    for (let lap = 2; lap <= 5; lap++) {
      // Read from the entry: each lap it stays idle counts one.
      expect(record.idleLaps, `lap ${lap - 1}`).toBe(lap - 1);
      resident.freezeLap();
    }
    expect(stillThawed(resident, record)).toBe(false);
    expect(resident.size).toBe(2);
  });

  it('starts a record’s count again when it is used', () => {
    const { resident, record } = setUp();
    for (let lap = 0; lap < 4; lap++) resident.freezeLap();
    record.used = true;
    for (let lap = 0; lap < 4; lap++) resident.freezeLap();
    // One lap takes the use away, three more are idle: four in all, one short of five.
    expect(record.idleLaps).toBe(3);
    expect(stillThawed(resident, record)).toBe(true);
    resident.freezeLap();
    resident.freezeLap();
    expect(stillThawed(resident, record)).toBe(false);
  });

  it('keeps a record changed since the last durable checkpoint, however long it is idle', () => {
    const { resident, record } = setUp();
    record.emittedIn = 1;
    for (let lap = 0; lap < 8; lap++) resident.freezeLap();
    expect(stillThawed(resident, record)).toBe(true);
  });

  it('spreads a lap over several calls: a quarter of the way round freezes about a quarter of the idle states thawed', () => {
    // Each state counted in a working set: freezing one releases it from the count (its entry is done with).
    const workingSet = new WorkingSet(1 << 30);
    const resident = new ResidentStates(workingSet, () => ({ type: 'counter', handler: counter }));
    const state = counter.newState();
    counter.fold(state, { tab: 't', type: 'counter', value: 7, time: 1_700_000_000_000, client: 'c' });
    const bytes = counter.serialize(state);
    const entries = Array.from({ length: 100 }, (_, i) => {
      const entry = storedState('t', `c${i}`, 'counter', counter, bytes, workingSet);
      entry.used = false;
      resident.add(entry);
      return entry;
    });
    resident.durableInterval = 0;
    const thawed = (): number => entries.filter((e) => e.workingSet !== undefined).length;
    resident.freezeLap(0.25);
    // 26 steps of the hand: a quarter of 100 states and the lap's end, which may come first.
    expect(thawed()).toBeGreaterThanOrEqual(74);
    expect(thawed()).toBeLessThanOrEqual(75);
    // A share of the states thawed now: 19 steps of 75 and the lap's end.
    resident.freezeLap(0.25);
    expect(thawed()).toBeGreaterThanOrEqual(55);
    expect(thawed()).toBeLessThanOrEqual(56);
    resident.freezeLap();
    expect(thawed()).toBe(0);
    expect(resident.size).toBe(100);
  });
});
