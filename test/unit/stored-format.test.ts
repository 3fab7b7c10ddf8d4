// The stored format of each Tab type, pinned: states serialized by the format
// in force when a fixture was recorded read back to the same figures, and
// today's code writes each type's newest fixture byte for byte. A change of
// the stored format bumps the handler's version byte, records a fixture of
// the new version, and keeps reading the old ones (the upgrade path: Redis
// holds a state in the format it was written in until it is written again).
//   v1 (test/unit/fixtures/stored-states-v1.json): every type.
//   v2 (stored-states-v2.json): unique, its sparse sketches Rice-coded; the
//     same state's v1 bytes beside it, rewritten to exactly the bytes today's
//     code writes for the v2 ones.
//   v3 (stored-states-v3.json): unique, its sketches of 256 entries or more
//     with their length; the same state's v2 bytes beside it, likewise.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../tabs/handlers/registry';

interface StoredFixture {
  bytes: string;
  now: number;
  rendered: unknown;
  /** The same state in a format before (v2 fixtures: v1; v3 fixtures: v2). */
  v1?: string;
  v2?: string;
}

const fixtureOf = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, StoredFixture>;
/**
 * The same figures: every number equal, but for a percentile's values
 * (under `percentiles`), computed from their bins through logarithms, which
 * may differ in their last bits from one JavaScript engine to the next
 * (Node 24's V8 renders the v1 percentile's p50 one unit in the last place
 * from Node 22's): those within 1e-12 of the figure recorded.
 */
function expectSameFigures(received: unknown, expected: unknown, path = 'figures', percentile = false): void {
  if (percentile && typeof expected === 'number' && typeof received === 'number') {
    expect(Math.abs(received - expected), `${path}: ${received} against ${expected}`).toBeLessThanOrEqual(1e-12 * Math.abs(expected));
  } else if (typeof expected === 'object' && expected !== null && typeof received === 'object' && received !== null) {
    expect(Object.keys(received).sort(), `${path}'s keys`).toEqual(Object.keys(expected).sort());
    for (const key of Object.keys(expected)) {
      expectSameFigures((received as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${path}.${key}`, percentile || key === 'percentiles');
    }
  } else {
    expect(received, path).toEqual(expected);
  }
}

const fixtures: Record<number, Record<string, StoredFixture>> = { 1: fixtureOf('stored-states-v1.json'), 2: fixtureOf('stored-states-v2.json'), 3: fixtureOf('stored-states-v3.json') };
const registry = defaultRegistry();
const newestOf = (type: string): number => Math.max(...Object.entries(fixtures).filter(([, f]) => f[type] !== undefined).map(([v]) => Number(v)));
const rendering = (type: string, bytes: Uint8Array, now: number): unknown => {
  const handler = registry.get(type)!;
  return JSON.parse(JSON.stringify(handler.render(handler.project(handler.deserialize(bytes), now))));
};

for (const [version, fixture] of Object.entries(fixtures).map(([v, f]) => [Number(v), f] as const)) {
  describe(`stored states of format v${version}`, () => {
    for (const [type, { bytes, now, rendered, v1, v2 }] of Object.entries(fixture)) {
      const newest = newestOf(type) === version;
      it(`${type}: reads back to the figures it was written with${newest ? ', and is written the same way today' : ', and is rewritten in the newest format'}`, () => {
        const handler = registry.get(type)!;
        const stored = Buffer.from(bytes, 'base64');
        expect(stored[0]).toBe(version);
        expectSameFigures(rendering(type, stored, now), rendered);
        // Rendered straight from the bytes (a query's Tab records), the same figures.
        if (handler.renderStored !== undefined) expectSameFigures(JSON.parse(JSON.stringify(handler.renderStored(stored, now))), rendered);
        const today = Buffer.from(handler.serialize(handler.deserialize(stored)));
        if (newest) expect(today.toString('base64')).toBe(bytes);
        else {
          expect(today[0]).toBe(newestOf(type));
          expectSameFigures(rendering(type, today, now), rendered);
        }
        for (const [before, oldBytes] of [
          [1, v1],
          [2, v2],
        ] as const) {
          if (oldBytes === undefined) continue;
          const old = Buffer.from(oldBytes, 'base64');
          expect(old[0]).toBe(before);
          expectSameFigures(rendering(type, old, now), rendered);
          if (handler.renderStored !== undefined) expectSameFigures(JSON.parse(JSON.stringify(handler.renderStored(old, now))), rendered);
          // Rewritten as today's code rewrites the fixture's own bytes (exactly them for the newest).
          expect(Buffer.from(handler.serialize(handler.deserialize(old))).toString('base64')).toBe(today.toString('base64'));
        }
      });
    }
  });
}

it('the v1 fixture covers every built-in type', () => {
  expect(Object.keys(fixtures[1]!).sort()).toEqual(['buffer', 'counter', 'gauge', 'percentile', 'unique']);
});
