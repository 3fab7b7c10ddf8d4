import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkpointArgs } from '../../state/checkpoint-args';
import type { PartitionCheckpoint } from '../../contracts/partition-checkpoint';
import { parsePartitionMeta } from '../../state/partition-meta';
import {
  dedupBucketKey,
  parseStateField,
  partitionCountKey,
  partitionKeys,
  stateField,
} from '../../state/redis-keys';

const NAME = fc.stringMatching(/^[A-Za-z0-9_.:/-]{1,40}$/);

/** The part of a key Redis Cluster hashes: the first {...} with something inside. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('partition keys', () => {
  it('puts every key of a partition under the hash tag {topology:partition}', () => {
    const keys = partitionKeys('ts', 'taba', 7);
    expect(keys).toEqual({
      meta: 'ts:{taba:7}:meta',
      states: 'ts:{taba:7}:states',
      types: 'ts:{taba:7}:types',
      dedupIndex: 'ts:{taba:7}:dedup',
      clients: 'ts:{taba:7}:clients',
    });
    const all = [...Object.values(keys), dedupBucketKey(keys, 1_700_000_040_000)];
    expect(new Set(all.map(hashTag))).toEqual(new Set(['taba:7']));
    expect(dedupBucketKey(keys, 1_700_000_040_000)).toBe('ts:{taba:7}:dedup:1700000040000');
  });

  it('keeps the partition count key out of any partition slot', () => {
    expect(partitionCountKey('ts', 'taba')).toBe('ts:taba:partitions');
  });
});

describe('state fields', () => {
  it('round-trips any tab and client of the wire charset', () => {
    fc.assert(
      fc.property(NAME, NAME, (tab, client) => {
        expect(parseStateField(stateField(tab, client))).toEqual({ tab, client });
      }),
    );
  });

  it('refuses a field without the separator', () => {
    expect(() => parseStateField('no-separator')).toThrow(/malformed/);
  });
});

function checkpoint(over: Partial<PartitionCheckpoint> = {}): PartitionCheckpoint {
  return {
    clientCounts: null,
    topology: 'taba',
    partition: 3,
    token: 4,
    checkpointId: '4:7',
    expectedWatermark: 90,
    watermark: 99,
    flushedAt: 1_000_000,
    eventsDelta: 12,
    states: [],
    deleted: [],
    types: [],
    dedupAdded: new Map(),
    dedupExpireBefore: 0,
    sources: {},
    ...over,
  };
}

describe('checkpoint script arguments', () => {
  it('lays out header, states, deletions, types, buckets, sources and client counts in the order checkpoint.lua reads', () => {
    const args = checkpointArgs(
      checkpoint({
        states: [{ tab: 'bids', client: 'c1', bytes: Uint8Array.from([1, 0, 255]) }],
        deleted: [{ tab: 'old', client: 'c2' }],
        types: [{ tab: 'bids', type: 'counter' }],
        dedupAdded: new Map([[960_000, ['a', 'b']]]),
        dedupExpireBefore: 420_000,
        sources: { 'taba.fold.repartition:2': '17' },
        clientCounts: [{ tab: 'bids', clients: 3 }],
      }),
    );
    expect(args).toEqual([
      '4', '99', '1000000', '12', '420000', '1', '1', '1', '1', '1', '4:7', '90', '1', '0', '1',
      'bids', '1', 'bids\u0000c1', Buffer.from([1, 0, 255]),
      'old\u0000c2',
      'bids', 'counter',
      '960000', '2', 'a', 'b',
      'taba.fold.repartition:2', '17',
      'bids', '3',
    ]);
    // No rebuild of the records: -1 counts, the stored ones are kept.
    expect(checkpointArgs(checkpoint())[12]).toBe('-1');
  });

  it('passes state bytes of a view into a larger buffer without the bytes around it', () => {
    const backing = Uint8Array.from([9, 9, 1, 2, 3, 9]);
    const args = checkpointArgs(checkpoint({ states: [{ tab: 't', client: 'c', bytes: backing.subarray(2, 5) }] }));
    expect(args[18]).toEqual(Buffer.from([1, 2, 3]));
  });

  it('sends the Tab records first, then the client states in runs of one Tab, in their order', () => {
    const b = (n: number): Uint8Array => Uint8Array.from([n]);
    const args = checkpointArgs(
      checkpoint({
        states: [
          { tab: 'a', client: 'c1', bytes: b(1) },
          { tab: 'a', client: '*', bytes: b(2) },
          { tab: 'a', client: 'c2', bytes: b(3) },
          { tab: 'b', client: 'c1', bytes: b(4) },
          { tab: 'b', client: '*', bytes: b(5) },
          { tab: 'a', client: 'c3', bytes: b(6) },
        ],
      }),
    );
    expect(args.slice(5, 6)).toEqual(['6']);
    expect(args.slice(13)).toEqual([
      '2', '3',
      'a\u0000*', Buffer.from([2]), 'b\u0000*', Buffer.from([5]),
      'a', '2', 'a\u0000c1', Buffer.from([1]), 'a\u0000c2', Buffer.from([3]),
      'b', '1', 'b\u0000c1', Buffer.from([4]),
      'a', '1', 'a\u0000c3', Buffer.from([6]),
    ]);
  });
});

describe('partition meta', () => {
  it('reads a never-written partition as generation -1, token -1, watermark -1, nothing flushed', () => {
    expect(parsePartitionMeta({})).toEqual({ generation: -1, token: -1, watermark: -1, events: 0, flushedAt: null, sources: {}, recordsAt: null });
  });

  it('reads layout v1, which kept the generation as epoch, as generation and token', () => {
    expect(parsePartitionMeta({ epoch: '12', watermark: '5' })).toMatchObject({ generation: 12, token: 12, watermark: 5 });
  });

  it('reads numbers and strips the src: prefix of source watermarks', () => {
    expect(
      parsePartitionMeta({ generation: '3', token: '9', watermark: '41', events: '1000', flushed_at: '1700000000000', 'src:t.r:0': '8', records_at: '41' }),
    ).toEqual({ generation: 3, token: 9, watermark: 41, events: 1000, flushedAt: 1_700_000_000_000, sources: { 't.r:0': '8' }, recordsAt: 41 });
  });
});
