// ZkOffsetStore on the test stack's ZooKeeper: the next offset to read of
// each (topology, topic, partition), never moving backwards unless reset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZkOffsetStore } from '../../spouts/zk-offset-store';
import { ZkClient } from '../../topology/coordination/zk-client';
import { testStack } from '../support/stack-env';

const stack = testStack();
const root = `/tabstream-it-offsets-${process.pid}-${Date.now()}`;

describe('ZkOffsetStore', () => {
  let zk: ZkClient;
  let otherZk: ZkClient;
  let offsets: ZkOffsetStore;

  beforeAll(async () => {
    zk = await ZkClient.connect(stack.zk, { root });
    otherZk = await ZkClient.connect(stack.zk, { root });
    offsets = new ZkOffsetStore(zk);
  });

  afterAll(async () => {
    await zk.remove('', { recursive: true });
    await zk.close();
    await otherZk.close();
  });

  it('has no offset before the first commit, then the committed one, as documented JSON', async () => {
    expect(await offsets.get('taba', 'tabs', 0)).toBeNull();
    const before = Date.now();
    await offsets.commit('taba', 'tabs', 0, 42);
    expect(await offsets.get('taba', 'tabs', 0)).toBe(42);
    const record = await zk.getJson<{ offset: number; at: number }>('offsets/taba/tabs/0');
    expect(Object.keys(record!).sort()).toEqual(['at', 'offset']);
    expect(record!.offset).toBe(42);
    expect(record!.at).toBeGreaterThanOrEqual(before);
  });

  it('never moves an offset backwards on commit', async () => {
    await offsets.commit('mono', 'tabs', 1, 100);
    await offsets.commit('mono', 'tabs', 1, 90);
    expect(await offsets.get('mono', 'tabs', 1)).toBe(100);
    await offsets.commit('mono', 'tabs', 1, 100);
    await offsets.commit('mono', 'tabs', 1, 101);
    expect(await offsets.get('mono', 'tabs', 1)).toBe(101);
  });

  it('keeps the highest offset when two committers race', async () => {
    const rival = new ZkOffsetStore(otherZk);
    // Out of order on purpose: late low commits must not win.
    const values = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 600 - i : i * 10));
    await Promise.all(values.map((value, i) => (i % 2 === 0 ? offsets : rival).commit('race', 'tabs', 0, value)));
    expect(await offsets.get('race', 'tabs', 0)).toBe(Math.max(...values));
  });

  it('moves an offset anywhere on reset (an operator replay)', async () => {
    await offsets.commit('replay', 'tabs', 2, 5000);
    await offsets.reset('replay', 'tabs', 2, 10);
    expect(await offsets.get('replay', 'tabs', 2)).toBe(10);
    await offsets.reset('replay', 'tabs', 3, 7); // also where nothing was committed
    expect(await offsets.get('replay', 'tabs', 3)).toBe(7);
  });

  it('lists every offset of a topology by topic and partition', async () => {
    await offsets.commit('listed', 'tabs', 0, 3);
    await offsets.commit('listed', 'tabs', 1, 4);
    await offsets.commit('listed', 'listed.fold.repartition', 0, 9);
    await offsets.commit('unrelated', 'tabs', 0, 1);
    expect(await offsets.all('listed')).toEqual({ tabs: { 0: 3, 1: 4 }, 'listed.fold.repartition': { 0: 9 } });
    expect(await offsets.all('never-deployed')).toEqual({});
  });

  it('refuses offsets and names that cannot be stored', async () => {
    await expect(offsets.commit('taba', 'tabs', 0, -1)).rejects.toThrow(/invalid offset/);
    await expect(offsets.commit('taba', 'tabs', 0, 1.5)).rejects.toThrow(/invalid offset/);
    await expect(offsets.commit('taba', 'a/b', 0, 1)).rejects.toThrow(/invalid name/);
    await expect(offsets.get('taba', 'tabs', -1)).rejects.toThrow(/invalid partition/);
  });
});
