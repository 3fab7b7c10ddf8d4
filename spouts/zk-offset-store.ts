import { BadVersionError, NoNodeError, NodeExistsError, ZkConnectionLossError } from '../topology/coordination/zk-errors';
import type { ZkClient } from '../topology/coordination/zk-client';

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
 * Commits that could not reach ZooKeeper, per client (every runner of a
 * worker's session shares them): the newest next-offset per partition,
 * written when the client is connected again, dropped with its session.
 */
class DeferredCommits {
  private readonly pending = new Map<string, { topology: string; topic: string; partition: number; offset: number }>();
  private flushing = false;

  constructor(private readonly zk: ZkClient) {
    zk.on('connected', () => void this.flush());
    zk.on('expired', () => this.pending.clear());
  }

  get size(): number {
    return this.pending.size;
  }

  /** Remembers `offset` unless a higher one is already waiting; returns the one to write now. */
  merge(topology: string, topic: string, partition: number, offset: number): number {
    const key = offsetPath(topology, topic, partition);
    const waiting = this.pending.get(key);
    this.pending.delete(key);
    return Math.max(offset, waiting?.offset ?? -1);
  }

  defer(topology: string, topic: string, partition: number, offset: number): void {
    const key = offsetPath(topology, topic, partition);
    const waiting = this.pending.get(key);
    if (waiting === undefined || waiting.offset < offset) this.pending.set(key, { topology, topic, partition, offset });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      const store = new ZkOffsetStore(this.zk);
      for (const c of [...this.pending.values()]) {
        if (this.zk.state !== 'connected') return;
        await store.commit(c.topology, c.topic, c.partition, c.offset).catch(() => {});
      }
    } finally {
      this.flushing = false;
    }
  }
}

const deferredByClient = new WeakMap<ZkClient, DeferredCommits>();

function deferredOf(zk: ZkClient): DeferredCommits {
  let deferred = deferredByClient.get(zk);
  if (deferred === undefined) {
    deferred = new DeferredCommits(zk);
    deferredByClient.set(zk, deferred);
  }
  return deferred;
}

/**
 * The consumed offsets of a topology's spouts, kept in ZooKeeper as Storm's
 * Kafka spout keeps them (DESIGN.md, "ZooKeeper layout"). The checkpoint
 * protocol commits here only after Redis accepted the checkpoint. Redis's
 * watermark is the truth and this offset only mirrors it, so a commit never
 * stalls the protocol when ZooKeeper is away: it is kept and written once
 * the session is connected again, and dropped if the session ends (the
 * partition's next owner commits its own).
 */
export class ZkOffsetStore {
  private readonly deferred: DeferredCommits;

  constructor(private readonly zk: ZkClient) {
    this.deferred = deferredOf(zk);
  }

  /** Commits kept for when ZooKeeper answers again. */
  get deferredCommits(): number {
    return this.deferred.size;
  }

  /** The next offset to read, or null when none was committed. */
  async get(topology: string, topic: string, partition: number): Promise<number | null> {
    const record = await this.zk.getJson<OffsetRecord>(offsetPath(topology, topic, partition));
    return record === null ? null : record.offset;
  }

  /**
   * Records `nextOffset` as the next offset to read. Never moves backwards:
   * a lower offset (a late commit of a former owner, a retry) is ignored.
   * Compare-and-set, so two committers cannot interleave into a regression.
   * While the session is disconnected (or the write times out) the offset
   * is deferred, and this resolves; with the session expired it is dropped.
   */
  async commit(topology: string, topic: string, partition: number, nextOffset: number): Promise<void> {
    checkOffset(nextOffset);
    const offset = this.deferred.merge(topology, topic, partition, nextOffset);
    if (this.zk.state === 'expired') return;
    if (this.zk.state !== 'connected') return this.deferred.defer(topology, topic, partition, offset);
    try {
      await this.write(topology, topic, partition, offset);
    } catch (err) {
      if (!(err instanceof ZkConnectionLossError)) throw err;
      this.deferred.defer(topology, topic, partition, offset);
    }
  }

  private async write(topology: string, topic: string, partition: number, nextOffset: number): Promise<void> {
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
        if (!(err instanceof NodeExistsError || err instanceof BadVersionError || err instanceof NoNodeError)) throw err;
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
      if (err instanceof NoNodeError) return [];
      throw err;
    }
  }
}
