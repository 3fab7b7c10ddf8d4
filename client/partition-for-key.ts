// Kafka's default key partitioner (Java `DefaultPartitioner`, KafkaJS
// `Partitioners.DefaultPartitioner`): murmur2 of the key's bytes, made
// positive, modulo the partition count. Any producer keyed by Tab name puts a
// Tab on this partition, which is what lets the runtime fuse a partition's
// spout with the fold of the Tabs it carries.

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/** Kafka's murmur2 (Utils.murmur2 in the Java client) as a signed 32-bit int. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  // The Java switch falls through: 3 tail bytes mix all three, then multiply once.
  const tail = length & 3;
  if (tail === 3) h ^= data[whole + 2] << 16;
  if (tail >= 2) h ^= data[whole + 1] << 8;
  if (tail >= 1) {
    h ^= data[whole];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's default partitioner picks for a UTF-8 `key`. */
export function partitionForKey(key: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
  }
  // Java's toPositive: clear the sign bit (not Math.abs).
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitions;
}

/**
 * A partitioner for @platformatic/kafka's Producer that places records as
 * Kafka's Java client and KafkaJS's DefaultPartitioner do: a keyed record by
 * murmur2 of its key made positive (the Producer takes it modulo the
 * partition count, which gives `partitionForKey`), an unkeyed one round-robin
 * from a random start. (The library's own `defaultPartitioner` hashes keys
 * differently, and its `compatibilityPartitioner` puts every unkeyed record
 * on partition 0.) One per producer: it keeps the round-robin position.
 */
export function kafkaDefaultPartitioner(): (message: unknown, key: Buffer | undefined | null) => number {
  let next = Math.floor(Math.random() * 0x7fffffff);
  return (_message, key) => {
    if (Buffer.isBuffer(key)) return murmur2(key) & 0x7fffffff;
    next = (next + 1) & 0x7fffffff;
    return next;
  };
}
