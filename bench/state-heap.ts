// Heap per (Tab, client) state in a worker's working set, thawed (the
// handlers' objects, as folded: TabState entries in a Map keyed by
// `<tab>\0<client>`) and frozen (the stored bytes packed in a FrozenArena,
// as the working set keeps a state a checkpoint wrote and no event touched
// since), against its stored size: the figures issue 11 asks to bring within
// 2x of storage. Two events per state.
import type { HandlerRegistry } from '../bolts/handlers/registry';
import { EventMix, type MixTabType } from '../client/event-mix';
import { changing, newState, toText, type TabState } from '../bolts/tab-state';
import { FrozenArena } from '../bolts/frozen-arena';

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
  let map = new Map<string, TabState>();
  for (let i = 0; i < states; i++) {
    const tab = `tab.${type}.${Math.floor(i / 300)}`;
    const client = `client-${i % 300}`;
    const entry = newState(tab, client, type, handler, undefined);
    for (let k = 0; k < 2; k++) handler.fold(changing(entry), { tab, client, type, value: values[2 * i + k] as never, time: t0 + i + k * 1000 });
    map.set(`${tab}\u0000${client}`, entry);
  }
  collectGarbage();
  const thawed = process.memoryUsage().heapUsed;
  let stored = 0;
  const arena = new FrozenArena();
  for (const [key, entry] of map) {
    const bytes = handler.serialize(entry.state);
    stored += bytes.length;
    arena.set(key, toText(bytes));
  }
  map = new Map();
  collectGarbage();
  // The arena's buffer lies outside the JavaScript heap: counted by what it holds (garbage and
  // room to grow included), beside whatever the heap still holds for it.
  const frozen = Math.max(process.memoryUsage().heapUsed, before) + arena.memoryBytes;
  if (arena.size !== states) throw new Error('lost states');
  return {
    type,
    states,
    storedBytesMean: Math.round(stored / states),
    thawedHeapPerState: Math.round((thawed - before) / states),
    frozenHeapPerState: Math.round((frozen - before) / states),
  };
}
