// The fold's lookup of a state: thawed ones as they are, frozen ones thawed
// on the way (taken out of the arena), and a frozen state whose Tab's type is
// not known here left frozen.
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../tabs/handlers/registry';
import { ResidentStates, stateKey } from '../../bolts/resident-states';
import { isResting, stateOf, storedState, type TabState } from '../../bolts/tab-state';
import { SeededRandom } from '../../client/seeded-random';

const counter = defaultRegistry().get('counter')!;

function frozenCounter(typeKnown: () => boolean): ResidentStates {
  const resident = new ResidentStates(undefined, () => (typeKnown() ? { type: 'counter', handler: counter } : undefined));
  const state = counter.newState();
  counter.fold(state, { tab: 't', type: 'counter', value: 7, time: 1_700_000_000_000, client: 'c' });
  const entry = storedState('t', 'c', 'counter', counter, counter.serialize(state), undefined);
  entry.used = false;
  resident.add(entry);
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

  it('finds by Tab and client what it holds under their key, through adds, thaws, freezes, prunes and evictions', () => {
    const rng = new SeededRandom(3);
    const resident = new ResidentStates(undefined, () => ({ type: 'counter', handler: counter }));
    resident.durableInterval = 0;
    const tabs = ['t0', 't1', 't2', 't3'];
    const clients = ['a', 'b', 'c', 'd', 'e'];
    // The model: the states added and not pruned or evicted since.
    const model = new Set<string>();
    const made = (tab: string, client: string): TabState => {
      const state = counter.newState();
      counter.fold(state, { tab, type: 'counter', value: 1, time: 1_700_000_000_000, client });
      const entry = storedState(tab, client, 'counter', counter, counter.serialize(state), undefined);
      entry.used = rng.next() < 0.5;
      return entry;
    };
    for (let step = 0; step < 2000; step++) {
      const tab = tabs[Math.floor(rng.next() * tabs.length)]!;
      const client = clients[Math.floor(rng.next() * clients.length)]!;
      const op = rng.next();
      if (op < 0.35) {
        if (!resident.holds(tab, client)) {
          resident.add(made(tab, client));
          model.add(stateKey(tab, client));
        }
      } else if (op < 0.6) {
        const found = resident.find(tab, client);
        if (found !== undefined) found.used = rng.next() < 0.5;
      } else if (op < 0.8) {
        resident.freezeLap(rng.next());
      } else if (op < 0.9) {
        // Prune about a third of those examined (thawed and frozen alike).
        resident.prune(
          3,
          () => rng.next() < 0.33,
          (t, c) => model.delete(stateKey(t, c)),
          () => (rng.next() < 0.33 ? true : undefined),
        );
      } else {
        resident.evict(64);
      }
      // Every state: held exactly when the model holds it (evictions dropped from the model), found as itself.
      for (const t of tabs) {
        for (const c of clients) {
          const key = stateKey(t, c);
          if (!resident.holds(t, c)) model.delete(key);
          expect(resident.holds(t, c)).toBe(model.has(key));
        }
      }
      const t = tabs[step % tabs.length]!;
      const c = clients[step % clients.length]!;
      const found = resident.find(t, c);
      expect(found === undefined).toBe(!model.has(stateKey(t, c)));
      if (found !== undefined) expect([found.tab, found.client]).toEqual([t, c]);
    }
    expect(model.size).toBeGreaterThan(0);
  });
});

describe('ResidentStates.add in the place of a held state', () => {
  it('takes the state it replaces (a rebuilt Tab record\'s old one) out of the working set', async () => {
    const { WorkingSet } = await import('../../contracts/working-set');
    const set = new WorkingSet(1 << 30);
    const resident = new ResidentStates(set, () => ({ type: 'counter', handler: counter }));
    const bytes = counter.serialize(counter.newState()).slice();
    const old = storedState('t', '*', 'counter', counter, bytes, set);
    resident.add(old);
    const rebuilt = storedState('t', '*', 'counter', counter, bytes.slice(), set);
    resident.add(rebuilt);
    expect(set.bytes).toBe(rebuilt.heapBytes);
    expect(resident.find('t', '*')).toBe(rebuilt);
  });
});
