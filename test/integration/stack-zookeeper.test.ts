// The test stack's ZooKeeper: znodes are created, watched and deleted through
// node-zookeeper-client, and an ephemeral node vanishes with its session.
import zookeeper from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testStack } from '../support/stack-env';

const stack = testStack();
const root = `/stack-zookeeper-test-${process.pid}-${Date.now()}`;

function connect(sessionTimeout = 2_000): Promise<zookeeper.Client> {
  return new Promise((resolve, reject) => {
    const client = zookeeper.createClient(stack.zk, { sessionTimeout, retries: 0 });
    const timer = setTimeout(() => reject(new Error(`no ZooKeeper session on ${stack.zk}`)), 10_000);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.connect();
  });
}

type Callback<T> = (err: Error | zookeeper.Exception | null, result: T) => void;

function call<T>(fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result))));
}

describe('ZooKeeper on the test stack', () => {
  let client: zookeeper.Client;

  beforeAll(async () => {
    client = await connect();
    await call<string>((cb) => client.create(root, Buffer.from('root'), zookeeper.CreateMode.PERSISTENT, cb));
  });

  afterAll(async () => {
    const children = await call<string[]>((cb) => client.getChildren(root, cb)).catch(() => [] as string[]);
    for (const child of children) await call<void>((cb) => client.remove(`${root}/${child}`, -1, (err) => cb(err, undefined)));
    await call<void>((cb) => client.remove(root, -1, (err) => cb(err, undefined)));
    client.close();
  });

  it('creates a znode, fires data and child watches, and deletes it', async () => {
    const path = `${root}/node`;
    await call<string>((cb) => client.create(path, Buffer.from('v1'), zookeeper.CreateMode.PERSISTENT, cb));

    const dataChanged = new Promise<number>((resolve) => {
      client.getData(path, (event) => resolve(event.getType()), () => undefined);
    });
    await call<zookeeper.Stat>((cb) => client.setData(path, Buffer.from('v2'), -1, cb));
    expect(await dataChanged).toBe(zookeeper.Event.NODE_DATA_CHANGED);
    const data = await new Promise<Buffer>((resolve, reject) => client.getData(path, (err, value) => (err ? reject(err) : resolve(value))));
    expect(data.toString()).toBe('v2');

    const childrenChanged = new Promise<number>((resolve) => {
      client.getChildren(root, (event) => resolve(event.getType()), () => undefined);
    });
    await call<void>((cb) => client.remove(path, -1, (err) => cb(err, undefined)));
    expect(await childrenChanged).toBe(zookeeper.Event.NODE_CHILDREN_CHANGED);
    expect(await call<zookeeper.Stat>((cb) => client.exists(path, cb))).toBeFalsy();
  });

  it('removes an ephemeral node when the session that made it closes', async () => {
    const path = `${root}/ephemeral`;
    const owner = await connect(1_000);
    await call<string>((cb) => owner.create(path, Buffer.alloc(0), zookeeper.CreateMode.EPHEMERAL, cb));
    let deleted!: Promise<number>;
    // The watch must be in place (the reply received) before the owner's session closes.
    const stat = await call<zookeeper.Stat>((cb) => {
      deleted = new Promise<number>((resolve) => client.exists(path, (event) => resolve(event.getType()), cb));
    });
    expect(stat).toBeTruthy();
    owner.close();
    expect(await deleted).toBe(zookeeper.Event.NODE_DELETED);
    expect(await call<zookeeper.Stat>((cb) => client.exists(path, cb))).toBeFalsy();
  });
});
