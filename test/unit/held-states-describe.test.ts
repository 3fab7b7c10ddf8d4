// What a working set holds, described by form, kind and type: the figures
// `npm run bench:task` prints to see where a worker's memory for states goes.
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../tabs/handlers/registry';
import { ResidentStates } from '../../bolts/resident-states';
import { newState, rest, storedState, stateOf } from '../../bolts/tab-state';
import { RECORD_CLIENT } from '../../state/redis-keys';
import { WorkingSet, type Evictor, type HeldStates } from '../../contracts/working-set';
import { heldStatesTable } from '../../bench/held-states-table';

const registry = defaultRegistry();
const counter = registry.get('counter')!;
const unique = registry.get('unique')!;
const time = 1_700_000_000_000;

function storedCounter(events: number): Uint8Array {
  const state = counter.newState();
  for (let i = 0; i < events; i++) counter.fold(state, { tab: 'c', type: 'counter', value: i, time: time + i, client: 'x' });
  return counter.serialize(state);
}

const byKey = (rows: readonly HeldStates[]) => new Map(rows.map((r) => [`${r.form} ${r.kind} ${r.type}`, r]));

describe('ResidentStates.describe', () => {
  it('counts each state once, in its form, kind and type, with the bytes it keeps and what the working set counts for it', () => {
    const set = new WorkingSet(1 << 30);
    const resident = new ResidentStates(set, (tab) => (tab.startsWith('u') ? { type: 'unique', handler: unique } : { type: 'counter', handler: counter }));
    const bytes = storedCounter(3);
    // Resting: fetched bytes, not folded yet.
    resident.add(storedState('c', 'a', 'counter', counter, bytes, set));
    // Thawed, its kept bytes agreeing: read once.
    const read = storedState('c', 'b', 'counter', counter, bytes, set);
    stateOf(read);
    resident.add(read);
    // Thawed and new: nothing stored yet.
    resident.add(newState('u', RECORD_CLIENT, 'unique', unique, set));
    // Frozen: a resting state the hand froze (used once, then idle for a lap).
    const frozen = storedState('c', 'f', 'counter', counter, bytes, set);
    rest(frozen);
    frozen.used = false;
    resident.add(frozen);
    resident.durableInterval = 0;
    resident.freezeLap();
    const rows = byKey(resident.describe());
    expect(rows.get('frozen client counter')).toMatchObject({ states: 1, storedBytes: bytes.length });
    expect(rows.get('frozen client counter')!.heapBytes).toBeGreaterThan(bytes.length);
    // The others were used: the lap took that away, and left them in their forms.
    expect(rows.get('resting client counter')).toMatchObject({ states: 1, storedBytes: bytes.length });
    expect(rows.get('thawed client counter')).toMatchObject({ states: 1, storedBytes: bytes.length });
    expect(rows.get('thawed record unique')).toMatchObject({ states: 1, storedBytes: 0 });
    expect(rows.size).toBe(4);
    // What the rows count for thawed and resting states is what the working set holds for them; the arena's rows
    // are its records (its table and room to grow are not in any row).
    const thawedAndResting = [...rows.values()].filter((r) => r.form !== 'frozen').reduce((sum, r) => sum + r.heapBytes, 0);
    expect(thawedAndResting).toBeGreaterThan(0);
    expect(thawedAndResting).toBeLessThan(set.bytes);
  });
});

describe('WorkingSet.describe', () => {
  it('adds up the rows of one form, kind and type across holders, and leaves holders without a description out', () => {
    const set = new WorkingSet(1000);
    const row = (states: number): HeldStates => ({ form: 'frozen', kind: 'client', type: 'counter', states, heapBytes: 10 * states, storedBytes: 8 * states });
    const describing = (rows: HeldStates[]): Evictor => ({ evict: () => {}, describe: () => rows });
    set.register(describing([row(2), { ...row(1), form: 'thawed' }]));
    set.register(describing([row(3)]));
    set.register({ evict: () => {} });
    const rows = byKey(set.describe());
    expect(rows.get('frozen client counter')).toEqual(row(5));
    expect(rows.get('thawed client counter')).toEqual({ ...row(1), form: 'thawed' });
    expect(rows.size).toBe(2);
    const table = heldStatesTable(set.describe());
    expect(table).toMatch(/frozen +client +counter +5 /);
    // The type over every form and kind: 6 states, 60 B counted for 48 stored; and the whole set likewise (1.25x).
    expect(table).toMatch(/all +all +counter +6 +0\.0 +0\.0 +10 B +8 B +1\.3$/m);
    expect(table).toMatch(/in all 0\.0 MB counted for 0\.0 MB stored \(1\.25x\)$/);
  });
});
