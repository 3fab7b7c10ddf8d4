// tsx bench/arena-lookups.ts [states] [lookups] [laps]: what a fold task pays to
// look a state up in its FrozenArena, by the Tab's and client's names as the
// decoder gives them (fresh strings), at the size of a worker's share of
// Taba's full state (default 1,500,000 frozen states of 90 bytes over 10,000
// Tabs x 300 clients): states held (a hit), and states not held (a miss: most
// lookups at that shape, each made before the state is fetched from Redis).
// CPU per lookup, best of `laps`; no services. A tool to compare arena changes.
import { FrozenArena } from '../bolts/frozen-arena';

const STATES = Number(process.argv[2] ?? 1_500_000);
const LOOKUPS = Number(process.argv[3] ?? 200_000);
const LAPS = Number(process.argv[4] ?? 5);
const TABS = 10_000;
const CLIENTS = 300;
const arena = new FrozenArena();
const value = new Uint8Array(90).fill(7);
// States i < STATES are held, spread over every Tab and client by a stride prime to their count.
const nameOf = (i: number): [string, string] => {
  const state = (i * 7919) % (TABS * CLIENTS);
  return [`counter.${state % TABS}`, `bidder-${Math.floor(state / TABS) + 1}`];
};
for (let i = 0; i < STATES; i++) {
  const [tab, client] = nameOf(i);
  arena.set(`${tab}\u0000${client}`, value);
}

/** Names as the decoder makes them: a new string per message (a copy, so no hash is cached on it). */
const fresh = (s: string): string => Buffer.from(s, 'latin1').toString('latin1');
const probes = (held: boolean): Array<[string, string]> =>
  Array.from({ length: LOOKUPS }, (_, k) => {
    const i = held ? (k * 104_729) % STATES : STATES + ((k * 104_729) % (TABS * CLIENTS - STATES));
    return nameOf(i);
  });

function lap(names: Array<[string, string]>, expectHeld: boolean): number {
  const copies = names.map(([tab, client]) => [fresh(tab), fresh(client)] as const);
  const start = process.cpuUsage();
  let found = 0;
  for (const [tab, client] of copies) if (arena.holds(tab, client)) found++;
  const used = process.cpuUsage(start);
  if (found !== (expectHeld ? names.length : 0)) throw new Error(`found ${found} of ${names.length}, expected ${expectHeld ? 'all' : 'none'}`);
  return ((used.user + used.system) * 1000) / names.length;
}

const hits = probes(true);
const misses = probes(false);
let bestHit = Infinity;
let bestMiss = Infinity;
for (let l = 0; l < LAPS; l++) {
  bestHit = Math.min(bestHit, lap(hits, true));
  bestMiss = Math.min(bestMiss, lap(misses, false));
}
console.log(
  `${STATES.toLocaleString('en-US')} frozen states (${(arena.memoryBytes / 2 ** 20).toFixed(0)} MiB), ${LOOKUPS.toLocaleString('en-US')} lookups, best of ${LAPS}: ` +
    `held ${bestHit.toFixed(0)} ns, not held ${bestMiss.toFixed(0)} ns per lookup (CPU)`,
);
