// tsx bench/prune-walk.ts [states]: what judging a fold task's frozen states
// for pruning costs (ResidentStates.prune, 2,000 a second per task in a
// worker: a gauge or buffer past its expiry, a windowed state stale for two
// days). A task holding `states` frozen states of the four built-in types
// (default 500,000, a worker's share of Taba's full state) is walked once
// round at 2,000 a call; nothing is condemned, as in a live run. CPU time per
// state examined, best of five laps.
import { ResidentStates } from '../bolts/resident-states';
import { storedState } from '../bolts/tab-state';
import { defaultRegistry } from '../tabs/handlers/registry';

const states = Number(process.argv[2] ?? 500_000);
const registry = defaultRegistry();
const TYPES = ['counter', 'percentile', 'unique', 'gauge'] as const;
const now = Date.now();
const typeOfTab = (i: number) => TYPES[i % TYPES.length]!;
const bytesByType = new Map(
  TYPES.map((type) => {
    const handler = registry.get(type)!;
    const state = handler.newState();
    handler.fold(state, { tab: 't', client: 'c', type, value: type === 'unique' ? 'u1' : 3, time: now - 1000 });
    return [type, handler.serialize(state)] as const;
  }),
);
const kinds = new Map(TYPES.map((type) => [type, { type, handler: registry.get(type)! }]));
const resident = new ResidentStates(undefined, (tab) => kinds.get(typeOfTab(Number(tab.slice(4)))));
// Frozen: resting in the map (their bytes as stored), then frozen by two laps of the hand (the first takes the
// used mark off; the one state the first lap ends on stays thawed).
const TABS = 10_000;
for (let i = 0; i < states; i++) {
  const tab = `tab.${i % TABS}`;
  const client = `bidder-${Math.floor(i / TABS)}`;
  const type = typeOfTab(i % TABS);
  resident.add(storedState(tab, client, type, registry.get(type)!, bytesByType.get(type)!, undefined));
}
resident.durableInterval = 0;
resident.freezeLap();
resident.freezeLap();
let condemned = 0;
const judge = (handler: { shouldPrune(s: unknown, n: number): boolean }, state: unknown) => handler.shouldPrune(state, now);
const lap = (): number => {
  const start = process.cpuUsage();
  for (let examined = 0; examined < states; examined += 2_000) {
    resident.prune(2_000, judge, () => condemned++, (handler, bytes) => handler.prunesStored?.(bytes, now, 2 * 24 * 3600 * 1000));
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
lap();
let best = Infinity;
for (let i = 0; i < 5; i++) best = Math.min(best, lap());
if (condemned !== 0) throw new Error(`${condemned} states condemned: none should be`);
console.log(`prune walk over ${states.toLocaleString('en-US')} frozen states: ${best.toFixed(0)} ms a lap, ${((best * 1000) / states).toFixed(2)} µs a state (CPU, best of 5)`);
