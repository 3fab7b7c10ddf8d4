// ZkOffsetStore on the narrow interface it owns (OffsetZnodes), with znodes in
// memory: no ZooKeeper, and a writer that slips in between a read and a write
// on demand. It tells a race by the error's code (the layer it sits in does
// not import ZooKeeper's error classes), so a race is retried and never moves
// an offset backwards; any other error goes to the caller.
import { describe, expect, it } from 'vitest';
import { TabstreamError } from '../../contracts/tabstream-error';
import { ZkOffsetStore, type OffsetZnodes } from '../../spouts/zk-offset-store';
import { BadVersionError, NodeExistsError, NoNodeError, ZkConnectionLossError } from '../../topology/coordination/zk-errors';
import type { ZkClient } from '../../topology/coordination/zk-client';

/** JSON znodes in a Map, versioned as ZooKeeper does; `before` runs ahead of the next write (another writer). */
class MemoryZnodes implements OffsetZnodes {
  readonly nodes = new Map<string, { data: string; version: number }>();
  before: (() => void) | null = null;
  failWith: Error | null = null;

  async getJson<T>(path: string): Promise<T | null> {
    const node = this.nodes.get(path);
    return node === undefined ? null : (JSON.parse(node.data) as T);
  }

  async getJsonVersioned<T>(path: string): Promise<{ value: T; version: number } | null> {
    const node = this.nodes.get(path);
    return node === undefined ? null : { value: JSON.parse(node.data) as T, version: node.version };
  }

  async create(path: string, data: string): Promise<string> {
    this.interleave();
    if (this.nodes.has(path)) throw new NodeExistsError(path);
    this.nodes.set(path, { data, version: 0 });
    return path;
  }

  async set(path: string, data: string, version: number): Promise<number> {
    this.interleave();
    const node = this.nodes.get(path);
    if (node === undefined) throw new NoNodeError(path);
    if (node.version !== version) throw new BadVersionError(path);
    this.nodes.set(path, { data, version: version + 1 });
    return version + 1;
  }

  async setJson(path: string, value: unknown): Promise<number> {
    const version = (this.nodes.get(path)?.version ?? -1) + 1;
    this.nodes.set(path, { data: JSON.stringify(value), version });
    return version;
  }

  async children(path: string): Promise<string[]> {
    const prefix = `${path}/`;
    const below = [...this.nodes.keys()].filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length).split('/')[0]!);
    if (below.length === 0) throw new NoNodeError(path);
    return [...new Set(below)].sort();
  }

  private interleave(): void {
    if (this.failWith !== null) throw this.failWith;
    const other = this.before;
    this.before = null;
    other?.();
  }
}

const offsetOf = (z: MemoryZnodes, partition: number) => JSON.parse(z.nodes.get(`offsets/t/tabs/${partition}`)!.data).offset as number;

describe('ZkOffsetStore on OffsetZnodes', () => {
  it('is satisfied by the runtime’s ZkClient', () => {
    const fits = (zk: ZkClient): OffsetZnodes => zk; // a compile-time check: tsc fails if ZkClient stops fitting
    expect(fits).toBeTypeOf('function');
  });

  it('retries a create that lost the race and keeps the higher offset', async () => {
    const z = new MemoryZnodes();
    const store = new ZkOffsetStore(z);
    z.before = () => z.nodes.set('offsets/t/tabs/0', { data: JSON.stringify({ offset: 50, at: 1 }), version: 0 });
    await store.commit('t', 'tabs', 0, 40);
    expect(offsetOf(z, 0)).toBe(50); // the other writer's, higher: not moved back
    await store.commit('t', 'tabs', 0, 60);
    expect(offsetOf(z, 0)).toBe(60);
  });

  it('retries a set that lost the race (bad version), reading again', async () => {
    const z = new MemoryZnodes();
    const store = new ZkOffsetStore(z);
    await store.commit('t', 'tabs', 1, 10);
    z.before = () => z.nodes.set('offsets/t/tabs/1', { data: JSON.stringify({ offset: 15, at: 2 }), version: 1 });
    await store.commit('t', 'tabs', 1, 20);
    expect(offsetOf(z, 1)).toBe(20);
    expect(z.nodes.get('offsets/t/tabs/1')!.version).toBe(2);
    await store.commit('t', 'tabs', 1, 5); // a late commit of a former owner
    expect(offsetOf(z, 1)).toBe(20);
  });

  it('hands any other error to the caller, and lists nothing for a topology without offsets', async () => {
    const z = new MemoryZnodes();
    const store = new ZkOffsetStore(z);
    expect(await store.all('t')).toEqual({});
    await store.commit('t', 'tabs', 2, 7);
    await store.reset('t', 'tabs', 3, 4);
    expect(await store.all('t')).toEqual({ tabs: { 2: 7, 3: 4 } });
    z.failWith = new ZkConnectionLossError('ZooKeeper did not answer within 3000 ms');
    await expect(store.commit('t', 'tabs', 2, 9)).rejects.toBeInstanceOf(ZkConnectionLossError);
    // A race is told by its code alone, whatever class carries it.
    z.failWith = null;
    let raced = false;
    const set = z.set.bind(z);
    z.set = async (path, data, version) => {
      if (!raced) {
        raced = true;
        throw new TabstreamError('changed since it was read', { code: 'ZK_BAD_VERSION', retriable: false });
      }
      return set(path, data, version);
    };
    await store.commit('t', 'tabs', 2, 9);
    expect(offsetOf(z, 2)).toBe(9);
  });
});
