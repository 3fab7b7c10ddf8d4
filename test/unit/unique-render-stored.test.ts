// A unique Tab record rendered straight from its bytes (renderStored, what a
// query does with each record) against the long way (deserialize, project,
// render) on states the handler laws' few random events never make: buckets
// past the sparse limit, windows whose union passes a quarter of the
// registers (the HyperLogLog sum, not linear counting), buckets stored dense.
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../tabs/handlers/registry';
import { SeededRandom } from '../../client/seeded-random';

const MINUTE = 60_000;
const NOW = 1_700_000_000_000;
const unique = defaultRegistry().get('unique')!;

/** A state of `values` distinct values per bucket time, drawn from `pool` (so buckets share some). */
function stateOf(times: readonly number[], values: number, pool: number, seed: number): Uint8Array {
  const random = new SeededRandom(seed);
  const state = unique.newState();
  for (const time of times) {
    for (let i = 0; i < values; i++) unique.fold(state, { tab: 't', type: 'unique', client: 'c', time, value: `user-${Math.floor(random.next() * pool)}` });
  }
  return unique.serialize(state);
}

const longWay = (bytes: Uint8Array, now: number) => unique.render(unique.project(unique.deserialize(bytes), now));

describe('unique renderStored', () => {
  const nows = [NOW, NOW + 20_000, NOW + 5 * MINUTE, NOW + 45 * MINUTE, NOW + 3 * 60 * MINUTE, NOW + 2 * 24 * 60 * MINUTE];

  it('agrees with the long way where buckets pass the sparse limit and windows pass a quarter of the registers', () => {
    // Buckets 15 s to 50 min back, ~3,000 distinct values each out of 40,000: windows union up to ~30,000.
    const bytes = stateOf([NOW - 50 * MINUTE, NOW - 20 * MINUTE, NOW - 5 * MINUTE, NOW - 40_000, NOW - 15_000, NOW], 3_000, 40_000, 1);
    const rendered = unique.renderStored!(bytes, NOW) as Record<string, { distinct: number }>;
    // Past a quarter of the 16,384 registers: the estimate is the HyperLogLog sum's.
    expect(rendered['1h']!.distinct).toBeGreaterThan(10_000);
    for (const now of nows) expect(unique.renderStored!(bytes, now)).toEqual(longWay(bytes, now));
  });

  it('agrees with the long way where a window is one sketch alone, estimated from its entry count or decoded past a quarter of the registers', () => {
    // One bucket of 3,000 values (~2,700 registers: counted without decoding), one of 5,000 (~4,300: decoded at the end).
    for (const [values, seed] of [
      [3_000, 3],
      [5_000, 4],
    ] as const) {
      const bytes = stateOf([NOW], values, 1_000_000, seed);
      for (const now of nows) expect(unique.renderStored!(bytes, now)).toEqual(longWay(bytes, now));
    }
    // A small bucket first, then a sized one: the second decodes the first.
    const mixed = stateOf([NOW - 20 * MINUTE, NOW], 300, 1_000_000, 5);
    for (const now of nows) expect(unique.renderStored!(mixed, now)).toEqual(longWay(mixed, now));
  });

  it('agrees with the long way for buckets stored dense (past 8,192 registers set)', () => {
    const bytes = stateOf([NOW - 3 * MINUTE, NOW], 30_000, 1_000_000, 2);
    for (const now of nows) expect(unique.renderStored!(bytes, now)).toEqual(longWay(bytes, now));
  });

  it('agrees with the long way for a state that never saw an event, and for one of a single value', () => {
    const empty = unique.serialize(unique.newState());
    expect(unique.renderStored!(empty, NOW)).toEqual(longWay(empty, NOW));
    const one = stateOf([NOW], 1, 1, 3);
    for (const now of nows) expect(unique.renderStored!(one, now)).toEqual(longWay(one, now));
  });
});
