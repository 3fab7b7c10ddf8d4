import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrozenArena } from '../../bolts/frozen-arena';

const bytes = (n: number, seed: number): string => String.fromCharCode(...Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

describe('FrozenArena', () => {
  it('behaves as a Map of its entries through any sequence of sets, deletes and walks (compactions and rehashes included)', () => {
    const key = fc.integer({ min: 0, max: 300 }).map((i) => `tab.${i % 40}\u0000client-${i}`);
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key, length: fc.integer({ min: 0, max: 3000 }), seed: fc.nat(255) }),
      fc.record({ kind: fc.constant('delete' as const), key }),
      fc.record({ kind: fc.constant('walk' as const), steps: fc.integer({ min: 1, max: 50 }), removeEvery: fc.integer({ min: 0, max: 3 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const arena = new FrozenArena(8, 1024);
        const model = new Map<string, string>();
        for (const o of ops) {
          if (o.kind === 'set') {
            const value = bytes(o.length, o.seed);
            arena.set(o.key, value);
            model.set(o.key, value);
          } else if (o.kind === 'delete') {
            expect(arena.delete(o.key)).toBe(model.delete(o.key));
          } else {
            for (let i = 0; i < o.steps; i++) {
              const e = arena.next();
              if (e === undefined) continue;
              expect(model.get(e.key)).toBe(e.value);
              if (o.removeEvery > 0 && i % o.removeEvery === 0) {
                e.remove();
                model.delete(e.key);
              }
            }
          }
          expect(arena.size).toBe(model.size);
        }
        for (const [k, v] of model) expect(arena.get(k)).toBe(v);
        expect(arena.get('absent\u0000key')).toBeUndefined();
        // A whole lap meets every entry (after the end of the lap under way).
        while (arena.next() !== undefined);
        const seen = new Set<string>();
        for (let e = arena.next(); e !== undefined; e = arena.next()) seen.add(e.key);
        expect(seen).toEqual(new Set(model.keys()));
      }),
      { numRuns: 200 },
    );
  });

  it('gives memory back: after most entries go, the arena compacts and its table shrinks', () => {
    const arena = new FrozenArena();
    for (let i = 0; i < 50_000; i++) arena.set(`t${i % 500}\u0000c${i}`, bytes(80, i));
    const full = arena.memoryBytes;
    expect(full).toBeLessThan(50_000 * (80 + 20 + 6) * 2 + 50_000 * 16);
    for (let i = 0; i < 49_000; i++) arena.delete(`t${i % 500}\u0000c${i}`);
    expect(arena.size).toBe(1000);
    expect(arena.memoryBytes).toBeLessThan(full / 10);
    for (let i = 49_000; i < 50_000; i++) expect(arena.get(`t${i % 500}\u0000c${i}`)).toBe(bytes(80, i));
  });
});
