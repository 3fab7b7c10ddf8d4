// The fold's lookup of a state: thawed ones as they are, frozen ones thawed
// on the way (taken out of the arena), and a frozen state whose Tab's type is
// not known here left frozen.
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../tabs/handlers/registry';
import { ResidentStates, stateKey } from '../../bolts/resident-states';
import { isResting, stateOf, storedState } from '../../bolts/tab-state';

const counter = defaultRegistry().get('counter')!;

function frozenCounter(typeKnown: () => boolean): ResidentStates {
  const resident = new ResidentStates(undefined, () => (typeKnown() ? { type: 'counter', handler: counter } : undefined));
  const state = counter.newState();
  counter.fold(state, { tab: 't', type: 'counter', value: 7, time: 1_700_000_000_000, client: 'c' });
  const entry = storedState('t', 'c', 'counter', counter, counter.serialize(state), undefined);
  entry.used = false;
  resident.add(stateKey('t', 'c'), entry);
  resident.durableInterval = 0;
  resident.freezeLap();
  return resident;
}

describe('ResidentStates.find', () => {
  it('thaws a frozen state once: the same object after, with the value it was frozen with', () => {
    const resident = frozenCounter(() => true);
    expect(resident.holds('t', 'c')).toBe(true);
    const found = resident.find('t', 'c')!;
    expect(found.tab).toBe('t');
    expect(found.client).toBe('c');
    // Out of the arena it rests (its bytes only) until something needs its objects.
    expect(isResting(found)).toBe(true);
    expect(counter.project(stateOf(found), 1_700_000_000_000)).toMatchObject({ '1m': { count: 1, total: 7 } });
    expect(isResting(found)).toBe(false);
    expect(resident.find('t', 'c')).toBe(found);
    expect(resident.size).toBe(1);
  });

  it('leaves a frozen state frozen while its Tab’s type is unknown, and thaws it once it is known', () => {
    let known = false;
    const resident = frozenCounter(() => known);
    expect(resident.find('t', 'c')).toBeUndefined();
    expect(resident.holds('t', 'c')).toBe(true);
    expect(resident.size).toBe(1);
    known = true;
    expect(resident.find('t', 'c')).toBeDefined();
    expect(resident.size).toBe(1);
  });

  it('finds nothing for a state it never held', () => {
    const resident = frozenCounter(() => true);
    expect(resident.find('t', 'other')).toBeUndefined();
    expect(resident.holds('t', 'other')).toBe(false);
    expect(resident.find('u', 'c')).toBeUndefined();
  });
});
