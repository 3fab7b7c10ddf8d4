// The working set counts the shared slabs that states' kept bytes pin: a
// model of which slabs kept views pin, built from the entries themselves,
// against the ledger, through every way an entry keeps and lets go of bytes.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SlabLedger } from '../../tabs/codec/slab-ledger';
import { ByteWriter } from '../../tabs/codec/byte-writer';
import { ByteSlab, SLAB_BYTES } from '../../bolts/byte-slab';
import { changing, noteStored, release, rest, stateOf, storedState, type TabState } from '../../bolts/tab-state';
import { WorkingSet } from '../../contracts/working-set';
import { defaultRegistry } from '../../tabs/handlers/registry';

const counter = defaultRegistry().get('counter')!;

describe('SlabLedger', () => {
  it('counts the rest of each slab a kept view pins, until its last kept view is let go', () => {
    const ledger = new SlabLedger();
    const slab = new Uint8Array(1000);
    ledger.register(slab.buffer);
    const a = slab.subarray(0, 100);
    const b = slab.subarray(100, 130);
    ledger.keep(a);
    expect(ledger.overheadBytes).toBe(900);
    ledger.keep(b);
    expect(ledger.overheadBytes).toBe(870);
    expect(ledger.slabCount).toBe(1);
    ledger.letGo(a);
    expect(ledger.overheadBytes).toBe(970);
    ledger.letGo(b);
    expect(ledger.overheadBytes).toBe(0);
    expect(ledger.slabCount).toBe(0);
  });

  it('leaves out buffers of their own and buffers it was not told of', () => {
    const ledger = new SlabLedger();
    const whole = new Uint8Array(500);
    ledger.register(whole.buffer);
    ledger.keep(whole);
    ledger.keep(new Uint8Array(800).subarray(0, 10));
    expect(ledger.overheadBytes).toBe(0);
    expect(ledger.slabCount).toBe(0);
  });

  it('registers the slabs of a ByteSlab and of a ByteWriter given it, the writer\'s as it grows', () => {
    const ledger = new SlabLedger();
    const copies = new ByteSlab(ledger);
    const copy = copies.copy(Uint8Array.of(1, 2, 3));
    ledger.keep(copy);
    expect(ledger.overheadBytes).toBe(SLAB_BYTES - 3);
    ledger.letGo(copy);
    const writer = new ByteWriter(64, ledger);
    writer.u8(1);
    const first = writer.take();
    // Past the first slab: a new one, registered too.
    writer.bytes(new Uint8Array(100));
    const second = writer.take();
    expect(second.buffer).not.toBe(first.buffer);
    ledger.keep(first);
    ledger.keep(second);
    expect(ledger.overheadBytes).toBe(64 - 1 + second.buffer.byteLength - second.byteLength);
  });
});

type Source = 'copy' | 'writer' | 'own';
type Op =
  | { kind: 'admit'; source: Source; value: number }
  | { kind: 'fold' | 'store' | 'rest' | 'release'; at: number; source: Source };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('admit' as const), source: fc.constantFrom<Source>('copy', 'writer', 'own'), value: fc.integer({ min: -1e6, max: 1e6 }) }),
  fc.record({
    kind: fc.constantFrom('fold' as const, 'store' as const, 'rest' as const, 'release' as const),
    at: fc.nat(),
    source: fc.constantFrom<Source>('copy', 'writer', 'own'),
  }),
);

describe('states keeping views on shared slabs', () => {
  it('the working set counts exactly the slabs the kept views pin, through admit, fold, store, rest and release', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 120 }), (ops) => {
        const ledger = new SlabLedger();
        const set = new WorkingSet(1 << 30, 0.9, ledger);
        // Small slabs, so that a run crosses many and several states share one.
        const copies = new ByteSlab(ledger);
        const writer = new ByteWriter(256, ledger);
        const slabs = new Set<ArrayBufferLike>();
        const bytesFrom = (source: Source, stored: Uint8Array): Uint8Array => {
          let bytes: Uint8Array;
          if (source === 'own') return stored.slice();
          if (source === 'copy') bytes = copies.copy(stored);
          else bytes = writer.bytes(stored).take();
          slabs.add(bytes.buffer);
          return bytes;
        };
        // The model: slabs pinned by the views the held entries keep, less those views.
        const model = (entries: TabState[]): number => {
          const pinned = new Set<ArrayBufferLike>();
          let kept = 0;
          for (const e of entries) {
            const bytes = e.frozen;
            if (bytes === undefined || !slabs.has(bytes.buffer) || bytes.byteLength === bytes.buffer.byteLength) continue;
            pinned.add(bytes.buffer);
            kept += bytes.byteLength;
          }
          let total = 0;
          for (const b of pinned) total += b.byteLength;
          return total - kept;
        };
        const entries: TabState[] = [];
        for (const o of ops) {
          if (o.kind === 'admit') {
            const state = counter.newState();
            counter.fold(state, { tab: 't', type: 'counter', value: o.value, time: 1_700_000_000_000, client: 'c' });
            entries.push(storedState('t', `c${entries.length}`, 'counter', counter, bytesFrom(o.source, counter.serialize(state)), set));
          } else if (entries.length > 0) {
            const at = o.at % entries.length;
            const entry = entries[at]!;
            if (o.kind === 'fold') counter.fold(changing(entry) as never, { tab: 't', type: 'counter', value: 1, time: 1_700_000_000_000, client: entry.client });
            else if (o.kind === 'store') noteStored(entry, bytesFrom(o.source, counter.serialize(stateOf(entry))));
            else if (o.kind === 'rest') rest(entry);
            else {
              release(entry);
              entries.splice(at, 1);
            }
          }
          expect(ledger.overheadBytes).toBe(model(entries));
          expect(set.bytes).toBe(entries.reduce((sum, e) => sum + e.heapBytes, 0) + model(entries));
        }
        for (const e of entries) release(e);
        expect(ledger.overheadBytes).toBe(0);
        expect(ledger.slabCount).toBe(0);
        expect(set.bytes).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
