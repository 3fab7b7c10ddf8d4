import type { HeldTuples } from '../contracts/bolt';
import type { TabEvent } from '../tabs/event';

/** The Tab, client and type of each held event, by index. */
export interface HeldEventNames {
  tabs: ArrayLike<string>;
  clients: ArrayLike<string>;
  types: ArrayLike<string>;
}

/**
 * What the fold's prefetch reads of a slice's events: the held columns
 * themselves when the runtime holds them so (Bolt.heldFields), read with no
 * refill of an event's six fields for three (a second refill per event on
 * the worker's hot path, beside the fold's own); else copied out of the
 * events, one by one.
 */
export function heldEventNames(tuples: HeldTuples): HeldEventNames {
  const tabs = tuples.column?.('tab');
  const clients = tuples.column?.('client');
  const types = tuples.column?.('type');
  if (tabs !== undefined && clients !== undefined && types !== undefined) {
    return { tabs: tabs as ArrayLike<string>, clients: clients as ArrayLike<string>, types: types as ArrayLike<string> };
  }
  const names: HeldEventNames & { tabs: string[]; clients: string[]; types: string[] } = { tabs: [], clients: [], types: [] };
  for (let i = 0; i < tuples.length; i++) {
    const { tab, client, type } = tuples.get(i) as unknown as TabEvent;
    names.tabs.push(tab);
    names.clients.push(client);
    names.types.push(type);
  }
  return names;
}
