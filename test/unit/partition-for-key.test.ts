import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Partitioners } from 'kafkajs';
import { kafkaDefaultPartitioner, murmur2, partitionForKey } from '../../client/partition-for-key';

// KafkaJS's default partitioner, called the way its producer calls it: an
// independent oracle (KafkaJS stays a dev dependency for it and the reader's
// transaction test, and nothing else).
function kafkajsPartition(key: string, partitions: number): number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  return partitioner({ topic: 'tabs', partitionMetadata, message: { key, value: null } });
}

describe('murmur2', () => {
  // Apache Kafka's UtilsTest.testMurmur2 vectors (the Java client's values).
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %s like the Java client', (key, expected) => {
    expect(murmur2(Buffer.from(key))).toBe(expected);
  });
});

describe('partitionForKey', () => {
  it('agrees with KafkaJS DefaultPartitioner on Tab-like names and arbitrary unicode', () => {
    const tabName = fc.stringMatching(/^[A-Za-z0-9_.:/-]{1,200}$/);
    fc.assert(
      fc.property(fc.oneof(tabName, fc.string({ unit: 'grapheme', maxLength: 40 })), fc.integer({ min: 1, max: 64 }), (key, partitions) => {
        expect(partitionForKey(key, partitions)).toBe(kafkajsPartition(key, partitions));
      }),
      { numRuns: 2000 },
    );
  });

  it('uses toPositive (sign bit cleared), not Math.abs', () => {
    // murmur2("foobar") is negative: -790332482 & 0x7fffffff = 1357151166.
    expect(partitionForKey('foobar', 2 ** 31 - 1)).toBe(1357151166);
    expect(partitionForKey('foobar', 50)).toBe(16);
  });

  it('spreads demo-like Tab names over partitions', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(partitionForKey(`page_views:/p${i}`, 8));
    expect(seen.size).toBe(8);
  });

  it('rejects a partition count that is not a positive integer', () => {
    expect(() => partitionForKey('bids', 0)).toThrow(RangeError);
    expect(() => partitionForKey('bids', 2.5)).toThrow(RangeError);
  });
});

describe('kafkaDefaultPartitioner', () => {
  it("places a keyed record where partitionForKey says, once the producer takes it modulo the count, and unkeyed ones round-robin", () => {
    const partitioner = kafkaDefaultPartitioner();
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.integer({ min: 1, max: 64 }), (key, partitions) => {
        expect(partitioner(null, Buffer.from(key)) % partitions).toBe(partitionForKey(key, partitions));
      }),
      { numRuns: 1000 },
    );
    const unkeyed = Array.from({ length: 12 }, () => partitioner(null, undefined) % 6);
    expect(new Set(unkeyed).size).toBe(6);
    expect(unkeyed.slice(6)).toEqual(unkeyed.slice(0, 6));
  });
});
