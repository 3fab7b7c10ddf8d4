/**
 * Key names of the Redis layout (docs/redis-layout.md). All of one input
 * partition's keys share the hash tag `{<topology>:<partition>}`, so one Lua
 * script may touch them all, on Redis Cluster too.
 */
export const DEFAULT_KEY_PREFIX = 'ts';

export interface PartitionKeys {
  meta: string;
  states: string;
  types: string;
  /** ZSET indexing the live dedup buckets. */
  dedupIndex: string;
  /** HASH tab -> how many client states it has stored (the Tab record not counted). */
  clients: string;
}

export function partitionKeys(prefix: string, topology: string, partition: number): PartitionKeys {
  const base = `${prefix}:{${topology}:${partition}}`;
  return {
    meta: `${base}:meta`,
    states: `${base}:states`,
    types: `${base}:types`,
    dedupIndex: `${base}:dedup`,
    clients: `${base}:clients`,
  };
}

/** The SET of ids of one dedup bucket; checkpoint.lua builds the same name. */
export function dedupBucketKey(keys: PartitionKeys, bucketStart: number): string {
  return `${keys.dedupIndex}:${bucketStart}`;
}

/** Not hash-tagged: one small key per topology, read before any partition. */
export function partitionCountKey(prefix: string, topology: string): string {
  return `${prefix}:${topology}:partitions`;
}

/** Tabs and clients never contain NUL (their charset is [A-Za-z0-9_.:/-]), so it separates them. */
const FIELD_SEPARATOR = '\u0000';

export function stateField(tab: string, client: string): string {
  return `${tab}${FIELD_SEPARATOR}${client}`;
}

/**
 * The client name of a Tab record: the Tab's state merged across its
 * clients, stored as field `<tab>\0*` of the states hash beside the client
 * states. `*` is outside the client charset, so no client can take it.
 */
export const RECORD_CLIENT = '*';

/**
 * The client name of a Tab record's delta (field `<tab>\0*+`): the events
 * folded into the record since its base (`*`) was last written, as a state
 * of the Tab's type. The record is the base merged with the delta; a
 * checkpoint writes the small delta instead of the whole record until the
 * delta grows (bolts/record-write.ts). Neither is a client.
 */
export const RECORD_DELTA_CLIENT = '*+';

/** A Tab record's field (its base or its delta), not a client's state. */
export const isRecord = (client: string): boolean => client === RECORD_CLIENT || client === RECORD_DELTA_CLIENT;

export function parseStateField(field: string): { tab: string; client: string } {
  const at = field.indexOf(FIELD_SEPARATOR);
  if (at < 0) throw new Error(`malformed state field ${JSON.stringify(field)}`);
  return { tab: field.slice(0, at), client: field.slice(at + 1) };
}

/** Meta fields of repartition source watermarks are `src:<topic>:<partition>`. */
export const SOURCE_FIELD_PREFIX = 'src:';
