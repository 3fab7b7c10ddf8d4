// Heap per (Tab, client) state in a worker's working set, thawed (the
// handlers' objects, as folded) and frozen (the stored bytes the working set
// keeps for a state a checkpoint wrote and no event touched since), against
// its stored size: the figures issue 11 asks to bring within 2x of storage.
// States as a worker holds them: TabState entries in a Map keyed by
// `<tab>\0<client>`, two events each.
import type { HandlerRegistry } from '../bolts/handlers/registry';
import { EventMix, type MixTabType } from '../client/event-mix';
import { freeze, newState, noteStored, thawForFold, type TabState } from '../bolts/tab-state';

export interface StateHeap {
  type: string;
  states: number;
  storedBytesMean: number;
  thawedHeapPerState: number;
  frozenHeapPerState: number;
}

export function measureStateHeap(type: MixTabType, registry: HandlerRegistry, states: number, collectGarbage: () => void): StateHeap {
  const handler = registry.get(type)!;
  const mix = new EventMix({ seed: 7, clients: 300 });
  const values: unknown[] = [];
  while (values.length < 2 * states) {
    const e = mix.next();
    if (e.type === type) values.push(e.value);
  }
  const t0 = 1_700_000_000_000;
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const map = new Map<string, TabState>();
  for (let i = 0; i < states; i++) {
    const tab = `tab.${type}.${Math.floor(i / 300)}`;
    const client = `client-${i % 300}`;
    const entry = newState(tab, client, type, handler, undefined);
    for (let k = 0; k < 2; k++) handler.fold(thawForFold(entry), { tab, client, type, value: values[2 * i + k] as never, time: t0 + i + k * 1000 });
    map.set(`${tab}\u0000${client}`, entry);
  }
  collectGarbage();
  const thawed = process.memoryUsage().heapUsed;
  let stored = 0;
  for (const entry of map.values()) {
    const bytes = handler.serialize(entry.state);
    stored += bytes.length;
    noteStored(entry, bytes);
    freeze(entry);
  }
  collectGarbage();
  const frozen = process.memoryUsage().heapUsed;
  if (map.size !== states) throw new Error('lost states');
  return {
    type,
    states,
    storedBytesMean: Math.round(stored / states),
    thawedHeapPerState: Math.round((thawed - before) / states),
    frozenHeapPerState: Math.round((frozen - before) / states),
  };
}
