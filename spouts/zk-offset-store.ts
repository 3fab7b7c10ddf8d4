import { TabstreamError } from '../contracts/tabstream-error';

/**
 * What the offset store needs of a ZooKeeper client: JSON znodes read with
 * their version, written with a compare-and-set. The store owns this shape and
 * the runtime's ZkClient (topology/coordination/zk-client.ts) satisfies it, so
 * nothing here reads the layer above. Paths are relative to the client's root.
 * A failure is a TabstreamError whose `code` says what happened: ZK_NO_NODE,
 * ZK_NODE_EXISTS, ZK_BAD_VERSION (zk-errors.ts) are the ones the store handles.
 */
export interface OffsetZnodes {
  getJson<T>(path: string): Promise<T | null>;
  getJsonVersioned<T>(path: string): Promise<{ value: T; version: number } | null>;
  create(path: string, data: string): Promise<unknown>;
  set(path: string, data: string, version: number): Promise<unknown>;
  setJson(path: string, value: unknown): Promise<unknown>;
  children(path: string): Promise<string[]>;
}

/** The error `err` is, when it is a TabstreamError of one of `codes`. */
function hasCode(err: unknown, ...codes: string[]): boolean {
  return err instanceof TabstreamError && codes.includes(err.code);
}

/** Data of `offsets/<topology>/<topic>/<partition>`: the next offset to read, and when it was written. */
export interface OffsetRecord {
  offset: number;
  at: number;
}

function offsetPath(topology: string, topic: string, partition: number): string {
  for (const name of [topology, topic]) {
    if (name === '' || name.includes('/')) throw new Error(`invalid name for an offset znode: ${JSON.stringify(name)}`);
  }
  if (!Number.isInteger(partition) || partition < 0) throw new Error(`invalid partition: ${partition}`);
  return `offsets/${topology}/${topic}/${partition}`;
}

function checkOffset(nextOffset: number): void {
  if (!Number.isSafeInteger(nextOffset) || nextOffset < 0) throw new Error(`invalid offset: ${nextOffset}`);
}

/**
 * The consumed offsets of a topology's spouts, kept in ZooKeeper as Storm's
 * Kafka spout keeps them (DESIGN.md, "ZooKeeper layout"). The checkpoint
 * protocol commits here only after Redis accepted the checkpoint; it is a
 * mirror: a worker starts from Redis's watermark + 1 and only reports where
 * this offset disagrees. `topology offsets --execute` resets it after moving
 * the position in Redis.
 */
export class ZkOffsetStore {
  constructor(private readonly zk: OffsetZnodes) {}

  /** The next offset to read, or null when none was committed. */
  async get(topology: string, topic: string, partition: number): Promise<number | null> {
    const record = await this.zk.getJson<OffsetRecord>(offsetPath(topology, topic, partition));
    return record === null ? null : record.offset;
  }

  /**
   * Records `nextOffset` as the next offset to read. Never moves backwards:
   * a lower offset (a late commit of a former owner, a retry) is ignored.
   * Compare-and-set, so two committers cannot interleave into a regression.
   */
  async commit(topology: string, topic: string, partition: number, nextOffset: number): Promise<void> {
    checkOffset(nextOffset);
    const path = offsetPath(topology, topic, partition);
    const data = (): string => JSON.stringify({ offset: nextOffset, at: Date.now() } satisfies OffsetRecord);
    for (;;) {
      const current = await this.zk.getJsonVersioned<OffsetRecord>(path);
      try {
        if (current === null) {
          await this.zk.create(path, data());
        } else if (current.value !== null && current.value.offset >= nextOffset) {
          return;
        } else {
          await this.zk.set(path, data(), current.version);
        }
        return;
      } catch (err) {
        // Someone else wrote in between: read again and decide again.
        if (!hasCode(err, 'ZK_NODE_EXISTS', 'ZK_BAD_VERSION', 'ZK_NO_NODE')) throw err;
      }
    }
  }

  /** Sets the next offset to read unconditionally, backwards too (an operator's replay). */
  async reset(topology: string, topic: string, partition: number, nextOffset: number): Promise<void> {
    checkOffset(nextOffset);
    await this.zk.setJson(offsetPath(topology, topic, partition), { offset: nextOffset, at: Date.now() } satisfies OffsetRecord);
  }

  /** Every committed offset of a topology: topic -> partition -> next offset. */
  async all(topology: string): Promise<Record<string, Record<number, number>>> {
    const topics = await this.childrenOrNone(`offsets/${topology}`);
    const entries = await Promise.all(
      topics.map(async (topic) => {
        const partitions = await this.childrenOrNone(`offsets/${topology}/${topic}`);
        const offsets: Record<number, number> = {};
        await Promise.all(
          partitions.map(async (name) => {
            const partition = Number(name);
            if (!Number.isInteger(partition)) return;
            const offset = await this.get(topology, topic, partition);
            if (offset !== null) offsets[partition] = offset;
          }),
        );
        return [topic, offsets] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  private async childrenOrNone(path: string): Promise<string[]> {
    try {
      return await this.zk.children(path);
    } catch (err) {
      if (hasCode(err, 'ZK_NO_NODE')) return [];
      throw err;
    }
  }
}
