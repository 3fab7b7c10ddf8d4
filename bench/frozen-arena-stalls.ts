// tsx bench/frozen-arena-stalls.ts [states]: a fold task's FrozenArena at the
// size of a worker's share of Taba's full state (default 500,000 states of 90
// bytes, 10,000 Tabs): the time to fill it and then to churn through it
// (every state taken out and frozen again three times, as thawing and
// freezing do), and the slowest single calls of each: what the worker's
// event loop stands still for. A tool to compare arena changes (run before
// and after); wall time on a shared machine, so its figures move run to run.
import { FrozenArena } from '../bolts/frozen-arena';

const states = Number(process.argv[2] ?? 500_000);
const arena = new FrozenArena();
const value = new Uint8Array(90).fill(7);
const keyOf = (i: number) => [`tab.${i % 10_000}`, `bidder-${Math.floor(i / 10_000)}`] as const;
const slowest = (ms: number[]) =>
  ms
    .sort((a, b) => b - a)
    .slice(0, 5)
    .map((x) => x.toFixed(1))
    .join(', ');

const fill: number[] = [];
let started = performance.now();
for (let i = 0; i < states; i++) {
  const [tab, client] = keyOf(i);
  const at = performance.now();
  arena.set(`${tab}\u0000${client}`, value);
  fill.push(performance.now() - at);
}
console.log(`fill ${states.toLocaleString('en-US')} states: ${(performance.now() - started).toFixed(0)} ms, ${(arena.memoryBytes / 2 ** 20).toFixed(1)} MiB; slowest calls ${slowest(fill)} ms`);

const churn: number[] = [];
started = performance.now();
for (let r = 0; r < 3 * states; r++) {
  // A stride that is prime to the count: every state, in an order that spreads garbage everywhere.
  const [tab, client] = keyOf((r * 7919) % states);
  const at = performance.now();
  const bytes = arena.take(tab, client);
  if (bytes !== undefined) arena.set(`${tab}\u0000${client}`, bytes);
  churn.push(performance.now() - at);
}
console.log(`churn ${(3 * states).toLocaleString('en-US')} takes and sets: ${(performance.now() - started).toFixed(0)} ms, ${(arena.memoryBytes / 2 ** 20).toFixed(1)} MiB; slowest calls ${slowest(churn)} ms`);
