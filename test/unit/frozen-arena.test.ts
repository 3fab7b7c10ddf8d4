import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrozenArena } from '../../bolts/frozen-arena';
import { SLAB_BYTES } from '../../bolts/byte-slab';

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('FrozenArena', () => {
  it.each([
    ['few names', 300, 40],
    // Names come and go: a number no record holds is freed and given to the next new name.
    ['many names, freed and given again', 3000, 700],
  ])('behaves as a Map of its entries through any sequence of sets, deletes, takes and sweeps (segments cleaned, values longer than a segment, rehashes included): %s', (_, keys, tabs) => {
    const key = fc.integer({ min: 0, max: keys }).map((i) => `tab.${i % tabs}\u0000client-${i}`);
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key, length: fc.integer({ min: 0, max: 3000 }), seed: fc.nat(255) }),
      fc.record({ kind: fc.constant('delete' as const), key }),
      fc.record({ kind: fc.constant('take' as const), key }),
      fc.record({ kind: fc.constant('sweep' as const), count: fc.integer({ min: 0, max: 50 }), removeEvery: fc.integer({ min: 0, max: 3 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: keys > 300 ? 2000 : 400 }), (ops) => {
        // Segments of 2 KiB (first 256 B): cleanings are frequent, and a value of 3,000 bytes takes a segment of its own.
        const arena = new FrozenArena(8, 256, 2048);
        const model = new Map<string, Uint8Array>();
        for (const o of ops) {
          if (o.kind === 'set') {
            const value = bytes(o.length, o.seed);
            arena.set(o.key, value);
            model.set(o.key, value);
          } else if (o.kind === 'delete') {
            expect(arena.delete(o.key)).toBe(model.delete(o.key));
          } else if (o.kind === 'take') {
            const [tab, client] = o.key.split('\u0000') as [string, string];
            expect(arena.holds(tab, client)).toBe(model.has(o.key));
            expect(arena.take(tab, client)).toEqual(model.get(o.key));
            model.delete(o.key);
            expect(arena.holds(tab, client)).toBe(false);
          } else {
            // Visits at most `count` live entries, each once, with its value as the model holds it.
            const visited = new Set<string>();
            let i = 0;
            arena.sweep(o.count, (tab, client, value) => {
              const k = `${tab}\u0000${client}`;
              expect(visited.has(k)).toBe(false);
              visited.add(k);
              expect(new Uint8Array(value)).toEqual(model.get(k));
              const remove = o.removeEvery > 0 && i++ % o.removeEvery === 0;
              if (remove) model.delete(k);
              return remove;
            });
            expect(visited.size).toBeLessThanOrEqual(o.count);
          }
          expect(arena.size).toBe(model.size);
        }
        for (const [k, v] of model) expect(arena.get(k)).toEqual(v);
        // No cleaning moves more than one segment: in all, live bytes moved are bounded by the garbage made.
        expect(arena.memoryBytes).toBeGreaterThan(0);
        expect(arena.get('absent\u0000key')).toBeUndefined();
        expect(arena.get('no separator')).toBeUndefined();
        // A whole lap meets every entry (after the end of the lap under way), and ends where the next begins.
        arena.sweep(Number.MAX_SAFE_INTEGER, () => false);
        const swept = new Set<string>();
        arena.sweep(model.size + 1, (tab, client) => (swept.add(`${tab}\u0000${client}`), false));
        expect(swept).toEqual(new Set(model.keys()));
        const again = new Set<string>();
        arena.sweep(model.size + 1, (tab, client) => (again.add(`${tab}\u0000${client}`), false));
        expect(again).toEqual(new Set(model.keys()));
      }),
      {
        numRuns: keys > 300 ? 40 : 200,
        // Found by this property: the full tail's cleaning filled the new tail that had been sized for the record being set.
        examples: [[[149, 300, 1741].map((length) => ({ kind: 'set' as const, key: 'tab.0\u0000client-0', length, seed: 0 }))]],
      },
    );
  });

  it('never moves more than a segment in one call: a cleaning moves one segment\'s live records, and growing copies nothing record by record', () => {
    const arena = new FrozenArena(64, 4096, 64 * 1024);
    const seeds = new Map<number, number>();
    let largest = 0;
    const put = (i: number, seed: number) => {
      const before = arena.movedBytes;
      arena.set(`t${i % 100}\u0000c${i}`, bytes(90, seed));
      largest = Math.max(largest, arena.movedBytes - before);
      seeds.set(i, seed);
    };
    for (let i = 0; i < 20_000; i++) put(i, i);
    expect(arena.movedBytes).toBe(0);
    // Churn: every entry rewritten three times, in an order that spreads garbage over every segment.
    for (let r = 0; r < 60_000; r++) put((r * 7919) % 20_000, r);
    expect(arena.movedBytes).toBeGreaterThan(0);
    expect(largest).toBeLessThanOrEqual(64 * 1024);
    // Segments are cleaned at a third garbage: they hold at most 1.5x the live records' bytes, and the tail's room.
    const records = 20_000 * (90 + 6);
    const table = 32_768 * 4;
    expect(arena.memoryBytes).toBeLessThan(records * 1.5 + 64 * 1024 + table + 100 * 64 + 20_000 * 64);
    for (const [i, seed] of seeds) expect(arena.get(`t${i % 100}\u0000c${i}`)).toEqual(bytes(90, seed));
  });

  it('gives memory back: after most entries go, its segments are cleaned, its table shrinks, its names are freed', () => {
    const arena = new FrozenArena();
    for (let i = 0; i < 50_000; i++) arena.set(`t${i % 500}\u0000c${i}`, bytes(80, i));
    const full = arena.memoryBytes;
    expect(full).toBeLessThan(50_000 * (80 + 20 + 6) * 2 + 50_000 * 16);
    for (let i = 0; i < 49_000; i++) arena.delete(`t${i % 500}\u0000c${i}`);
    expect(arena.size).toBe(1000);
    // After evictions the working set asks for the memory back.
    arena.shrink();
    expect(arena.memoryBytes).toBeLessThan(full / 10);
    for (let i = 49_000; i < 50_000; i++) expect(arena.get(`t${i % 500}\u0000c${i}`)).toEqual(bytes(80, i));
    // The rest go too: what is left is the smallest table, a segment's room and no names.
    for (let i = 49_000; i < 50_000; i++) arena.delete(`t${i % 500}\u0000c${i}`);
    arena.shrink();
    expect(arena.size).toBe(0);
    expect(arena.memoryBytes).toBeLessThan(64 * 4 + 4096 + 65_536 * 4 * 2);
  });
});

describe('FrozenArena.evictOldest', () => {
  const key = (i: number) => `tab.${i % 50}\u0000client-${i}`;

  it('deletes the states of the oldest segment, frozen first, and drops it whole', () => {
    // Segments of 4 KiB: ~60 states of 60 bytes each.
    const arena = new FrozenArena(64, 4096, 4096);
    for (let i = 0; i < 600; i++) arena.set(key(i), bytes(60, i));
    const before = arena.memoryBytes;
    const removed = arena.evictOldest();
    expect(removed).toBeGreaterThan(40);
    expect(arena.size).toBe(600 - removed);
    // The first states went, the rest are as they were; no byte was moved.
    for (let i = 0; i < removed; i++) expect(arena.has(key(i))).toBe(false);
    for (let i = removed; i < 600; i++) expect(arena.get(key(i))).toEqual(bytes(60, i));
    expect(arena.memoryBytes).toBeLessThanOrEqual(before - 4096);
    expect(arena.movedBytes).toBe(0);
  });

  it('skips states thawed since (their records are garbage), and goes on to the tail and then to nothing', () => {
    const arena = new FrozenArena(64, 4096, 4096);
    for (let i = 0; i < 200; i++) arena.set(key(i), bytes(60, i));
    // Thawed (taken) and frozen again: now in the newest segment.
    for (let i = 0; i < 10; i++) arena.set(key(i), arena.take(`tab.${i % 50}`, `client-${i}`)!);
    const first = arena.evictOldest();
    expect(arena.has(key(0))).toBe(true);
    expect(arena.has(key(10))).toBe(false);
    let total = first;
    for (let n = arena.evictOldest(); n >= 0; n = arena.evictOldest()) total += n;
    expect(total).toBe(200);
    expect(arena.size).toBe(0);
    expect(arena.evictOldest()).toBe(-1);
    // Usable again.
    arena.set(key(1), bytes(60, 1));
    expect(arena.get(key(1))).toEqual(bytes(60, 1));
  });

  it('keeps the table free of long probe runs when states are frozen and evicted round after round', () => {
    // Eviction by a walk in slot order (before evictOldest) deleted states whose hashes lie together, and the states left
    // crowded the rest of the table: its longest run of occupied slots grew to tens of thousands.
    // Segments of 64 KiB: a segment evicted at a time is ~1,400 states, a fraction of a round's.
    const arena = new FrozenArena(64, 4096, 64 * 1024);
    const states = 60_000;
    let made = 0;
    for (; made < states; made++) arena.set(key(made), bytes(40, made));
    for (let round = 0; round < 25; round++) {
      for (let k = 0; k < states / 10; k++, made++) arena.set(key(made), bytes(40, made));
      const target = arena.size - states / 10;
      while (arena.size > target && arena.evictOldest() >= 0);
      arena.shrink();
    }
    const slots = (arena as unknown as { slots: Uint32Array }).slots;
    let run = 0;
    let longest = 0;
    for (const ref of slots) {
      run = ref === 0 ? 0 : run + 1;
      longest = Math.max(longest, run);
    }
    expect(longest).toBeLessThan(500);
    expect(arena.size).toBeGreaterThan(states / 4);
    // What is left reads back as it was frozen.
    let checked = 0;
    arena.sweep(arena.size, (_tab, client, value) => {
      const i = Number(client.slice('client-'.length));
      expect(new Uint8Array(value)).toEqual(bytes(40, i));
      checked++;
      return false;
    });
    expect(checked).toBe(arena.size);
  });
});

describe('FrozenArena: what a state costs', () => {
  it('writes a Tab name once, not once per client: a frozen state costs its bytes and a few more', () => {
    const arena = new FrozenArena();
    const states = 30_000;
    for (let i = 0; i < states; i++) arena.set(`counter.${Math.floor(i / 300)}\u0000bidder-${i % 300}`, bytes(66, i));
    // 66 bytes of value; the key's ~20 characters are two small numbers, the table ~10 bytes a state, the arena's room to grow a quarter.
    expect(arena.memoryBytes / states).toBeLessThan(66 * 1.6);
    const got = arena.get('counter.99\u0000bidder-299')!;
    expect(got).toEqual(bytes(66, 99 * 300 + 299));
    // A copy, not a view on the arena: rewriting every state (the arena moves and compacts) leaves it as it was,
    // and it holds no more than a slab of stored copies alive, not the arena.
    for (let i = 0; i < states; i++) arena.set(`counter.${Math.floor(i / 300)}\u0000bidder-${i % 300}`, bytes(66, i + 1));
    expect(got).toEqual(bytes(66, 99 * 300 + 299));
    expect(got.buffer.byteLength).toBeLessThanOrEqual(SLAB_BYTES);
  });

  it('holds a gauge (16 stored bytes) within twice that wherever its table and tail stand in their growth', () => {
    // The table (5 B a slot) grows by half, the tail segment by a quarter: just past a growth a state's share
    // of the table is 10 B (13.3 when it doubled) and the tail's room a quarter of its bytes (as many when it doubled).
    const arena = new FrozenArena();
    let held = 0;
    let worst = 0;
    for (let states = 50_000; states <= 300_000; states += 2_500) {
      for (; held < states; held++) arena.set(`gauge.${Math.floor(held / 300)}\u0000client-${held % 300}`, bytes(16, held));
      worst = Math.max(worst, arena.memoryBytes / states);
    }
    expect(worst).toBeLessThanOrEqual(2 * 16);
    expect(arena.get('gauge.999\u0000client-299')).toEqual(bytes(16, 999 * 300 + 299));
  });

  it('refuses to outgrow its references: more segments than a reference names is an error, never a state read from the wrong place', () => {
    // Segments of 64 bytes: a value of 60 (and its header) takes a segment of its own.
    const arena = new FrozenArena(8, 64, 64);
    let set = 0;
    expect(() => {
      for (; set < 5000; set++) arena.set(`t\u0000c${set}`, bytes(60, set));
    }).toThrow(/outgrew 4095 segments/);
    expect(set).toBe(4095);
    expect(arena.size).toBe(4095);
    expect(arena.has(`t\u0000c${set}`)).toBe(false);
    for (let i = 0; i < set; i += 97) expect(arena.get(`t\u0000c${i}`)).toEqual(bytes(60, i));
    // Room again once some go: the numbers of dropped segments are given again.
    arena.delete('t\u0000c0');
    arena.set(`t\u0000c${set}`, bytes(60, set));
    expect(arena.get(`t\u0000c${set}`)).toEqual(bytes(60, set));
  });

  it('visits every entry with its names and value length, and leaves the walk where it stood', () => {
    const arena = new FrozenArena(8, 256, 2048);
    for (let i = 0; i < 40; i++) arena.set(`t${i % 3}\u0000c${i}`, bytes(i + 1, i));
    arena.delete('t1\u0000c4');
    const walk = (steps: number): string[] => {
      const keys: string[] = [];
      arena.sweep(steps, (tab, client) => (keys.push(`${tab}\u0000${client}`), false));
      return keys;
    };
    const first = walk(10);
    const seen = new Map<string, number>();
    arena.forEachSize((tab, client, length) => seen.set(`${tab}\u0000${client}`, length));
    const rest = walk(29);
    // One lap of the 39 live entries, the description between its parts.
    expect(first.length + rest.length).toBe(39);
    expect(new Set([...first, ...rest]).size).toBe(39);
    // The lap ends there: the next step meets nothing.
    expect(walk(1)).toEqual([]);
    expect(seen.size).toBe(39);
    for (let i = 0; i < 40; i++) expect(seen.get(`t${i % 3}\u0000c${i}`)).toBe(i === 4 ? undefined : i + 1);
  });

  it('refuses a key without the NUL between Tab and client', () => {
    expect(() => new FrozenArena().set('tab-only', bytes(1, 0))).toThrow(/<tab>\\0<client>/);
  });
});
