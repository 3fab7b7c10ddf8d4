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

export const isRecord = (client: string): boolean => client === RECORD_CLIENT;

export function parseStateField(field: string): { tab: string; client: string } {
  const at = field.indexOf(FIELD_SEPARATOR);
  if (at < 0) throw new Error(`malformed state field ${JSON.stringify(field)}`);
  return { tab: field.slice(0, at), client: field.slice(at + 1) };
}

/** Meta fields of repartition source watermarks are `src:<topic>:<partition>`. */
export const SOURCE_FIELD_PREFIX = 'src:';
