// A stored state of each type as the taba-full preload writes them: a client
// state of two events, and a Tab record of 300 such clients merged (by the
// registry's handlers, so the bytes are what a worker would read and write).
import { defaultRegistry } from '../tabs/handlers/registry';
import type { TabEvent } from '../tabs/event';

export type TypicalStoredStates = Map<'counter' | 'percentile' | 'unique' | 'gauge', { client: Buffer; record: Buffer }>;

export function typicalStoredStates(t0 = Date.now() - 10 * 60_000): TypicalStoredStates {
  const registry = defaultRegistry();
  const out: TypicalStoredStates = new Map();
  for (const type of ['counter', 'percentile', 'unique', 'gauge'] as const) {
    const h = registry.get(type)!;
    const record = h.newState();
    let one: unknown;
    for (let c = 0; c < 300; c++) {
      const s = h.newState();
      for (let k = 0; k < 2; k++) h.fold(s, { tab: 't', client: 'c', type, value: (type === 'unique' ? `v${(c * 7 + k) % 500}` : (c + k) % 97) as never, time: t0 + k } as TabEvent);
      h.mergeState?.(record, s);
      one = s;
    }
    out.set(type, { client: Buffer.from(h.serialize(one)), record: Buffer.from(h.serialize(record)) });
  }
  return out;
}
