// ZkClient with digest credentials on the test stack's ZooKeeper (digest
// needs no server setting): the ACL of every znode it creates, what a client
// without the credentials (or with wrong ones) may still do, a scheme the
// server refuses, credentials sent ahead of calls queued while disconnected,
// and securing a root created without credentials.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZkClient, type ZkAclEntry } from '../../topology/coordination/zk-client';
import { ZkDigestAuth, type ZkAuth } from '../../topology/coordination/zk-auth';
import { ZkAuthFailedError, ZkNoAuthError } from '../../topology/coordination/zk-errors';
import { secureTree } from '../../topology/coordination/zk-secure';
import { testStack } from '../support/stack-env';
import { TcpRelay } from '../support/tcp-relay';
import { runCli } from '../support/run-cli';

const stack = testStack();
const top = `/tabstream-it-zk-auth-${process.pid}-${Date.now()}`;
const root = `${top}/install/tabstream`;
const auth = new ZkDigestAuth('tabstream:pw-zk-auth-test', 'the test');
/** What ZooKeeper's DigestAuthenticationProvider derives from `user:password`, computed here apart from ZkDigestAuth. */
const digestId = (credentials: string) => `${credentials.split(':')[0]}:${createHash('sha1').update(credentials).digest('base64')}`;
const SECURED: ZkAclEntry[] = [
  { scheme: 'digest', id: digestId('tabstream:pw-zk-auth-test'), perms: 31 },
  { scheme: 'world', id: 'anyone', perms: 1 },
];
const refused = (path: string, hint = 'set zkAuth') => `ZooKeeper refused: not authorized to change ${root}/${path} (NoAuth); ${hint}`;

describe('ZkClient with zkAuth (digest)', () => {
  let zk: ZkClient;
  let anon: ZkClient;
  let wrong: ZkClient;

  beforeAll(async () => {
    zk = await ZkClient.connect(stack.zk, { root, auth });
    anon = await ZkClient.connect(stack.zk, { root });
    wrong = await ZkClient.connect(stack.zk, { root, auth: new ZkDigestAuth('tabstream:not-the-password', 'the test') });
  });

  afterAll(async () => {
    const cleaner = await ZkClient.connect(stack.zk, { root: '/', auth });
    for (const path of [top, `${top}-open`, `${top}-cli`]) await cleaner.remove(path.slice(1), { recursive: true });
    await Promise.all([zk, anon, wrong, cleaner].map((c) => c?.close()));
  });

  it('gives every znode it creates full rights for its identity and read for anyone: root, ancestors, every mode, transactions, upserts', async () => {
    await zk.create('topologies/t1', '{"spec":1}');
    await zk.createEphemeral('workers/w1', '{}');
    const leader = await zk.createEphemeralSequential('leader/n_', 'w1');
    await zk.transaction([{ op: 'create', path: 'assignments', data: '' }, { op: 'create', path: 'assignments/t1', data: '{"generation":1}' }]);
    await zk.setJson('offsets/t1/tabs/0', { offset: 1 });
    const bare = await ZkClient.connect(stack.zk, { root: '/', auth });
    try {
      const paths = [top, `${top}/install`, root].map((p) => p.slice(1));
      for (const rel of ['topologies', 'topologies/t1', 'workers/w1', leader, 'assignments/t1', 'offsets', 'offsets/t1/tabs', 'offsets/t1/tabs/0']) paths.push(`${root.slice(1)}/${rel}`);
      for (const path of paths) expect({ path, acl: (await bare.getAcl(path)).acl }).toEqual({ path, acl: SECURED });
    } finally {
      await bare.close();
    }
    expect(zk.acl).toEqual(SECURED);
  });

  it('lets a client without credentials read, and refuses its changes in one line (NoAuth)', async () => {
    await zk.setJson('topologies/t2', { status: 'active' });
    expect(await anon.getJson('topologies/t2')).toEqual({ status: 'active' });
    expect(await anon.children('topologies')).toContain('t2');
    // ZooKeeper shows the digest's hash only to those with the admin right.
    expect((await anon.getAcl('topologies/t2')).acl).toEqual([{ scheme: 'digest', id: 'tabstream:x', perms: 31 }, SECURED[1]]);
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ['topologies/t2', () => anon.setJson('topologies/t2', { status: 'inactive' })],
      ['topologies/t2', () => anon.setJson('topologies/t2', { status: 'inactive' }, 0)],
      ['topologies/t3', () => anon.create('topologies/t3', '{}')],
      ['workers/intruder', () => anon.createEphemeral('workers/intruder')],
      ['topologies/t2', () => anon.remove('topologies/t2')],
      ['offsets/t1/tabs/0', () => anon.transaction([{ op: 'set', path: 'offsets/t1/tabs/0', data: '{"offset":0}' }])],
      ['topologies/t2', () => anon.setAcl('topologies/t2', [{ scheme: 'world', id: 'anyone', perms: 31 }])],
      ['offsets', () => anon.assertMayChange('offsets')],
    ];
    for (const [path, attempt] of attempts) {
      const err = await attempt().then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ZkNoAuthError);
      expect(err).toMatchObject({ message: refused(path), code: 'ZK_NO_AUTH', retriable: false });
    }
    expect(await zk.getJson('topologies/t2')).toEqual({ status: 'active' });
    await zk.assertMayChange('offsets'); // changes nothing
    expect(await zk.getJson('offsets/t1/tabs/0')).toEqual({ offset: 1 });
  });

  it('refuses a wrong password the same way (digest accepts any credentials; the ACL does not)', async () => {
    expect(wrong.state).toBe('connected');
    expect(await wrong.getJson('topologies/t2')).toEqual({ status: 'active' });
    await expect(wrong.setJson('topologies/t2', { status: 'killed' })).rejects.toThrow(
      refused('topologies/t2', 'check zkAuth: its credentials are not those that secured it'),
    );
  });

  it('connects a client without credentials below a secured znode (the root exists: no need to create it)', async () => {
    const deeper = await ZkClient.connect(stack.zk, { root: `${root}/topologies` });
    try {
      expect(await deeper.exists('t2')).toBe(true);
    } finally {
      await deeper.close();
    }
  });

  it('fails at once, in one line, when the server refuses the scheme (AuthFailed)', async () => {
    // A server with digest turned off answers digest the same way; the stack's accepts digest, so an unknown scheme stands in.
    const unknown: ZkAuth = { scheme: 'no-such-scheme', user: 'u', authData: () => Buffer.from('u:p'), owner: { scheme: 'digest', id: 'u:x' } };
    const started = Date.now();
    const err = await ZkClient.connect(stack.zk, { root, auth: unknown, connectTimeoutMs: 5_000 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ZkAuthFailedError);
    expect((err as Error).message).toMatch(/^ZooKeeper refused to authenticate with scheme no-such-scheme \(AuthFailed\) and closed the session/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('authenticates again on reconnect before the calls queued while disconnected', async () => {
    const relay = TcpRelay.to(stack.zk);
    const worker = await ZkClient.connect(await relay.listen(), { root, auth, sessionTimeoutMs: 6_000, operationTimeoutMs: 5_000 });
    try {
      await worker.create('reconnect/x', 'before');
      const session = worker.sessionId;
      const disconnected = new Promise((resolve) => worker.once('disconnected', resolve));
      relay.partition();
      await disconnected;
      // Queued while away; the library re-sends the credentials at reconnect, and they must go first.
      const write = worker.set('reconnect/x', 'while-away', 0);
      const create = worker.createEphemeral('reconnect/e');
      relay.heal();
      expect(await write).toBe(1);
      expect(await create).toBe('reconnect/e');
      expect(worker.sessionId).toBe(session);
      expect((await zk.getAcl('reconnect/e')).acl).toEqual(SECURED);
    } finally {
      await worker.close();
      await relay.close();
    }
  });

  it('secures a root created without credentials: every znode, parents first; a dry run counts and changes nothing', async () => {
    const openRoot = `${top}-open`; // not below the secured top: this one begins open
    const open = await ZkClient.connect(stack.zk, { root: openRoot });
    const owner = await ZkClient.connect(stack.zk, { root: openRoot, auth });
    try {
      for (const path of ['topologies/a', 'assignments/a', 'offsets/a/tabs/0', 'offsets/a/tabs/1']) await open.create(path, '{}');
      await open.createEphemeral('workers/w');
      expect(await secureTree(owner, { dryRun: true })).toEqual({ znodes: 12, changed: 12 });
      expect((await owner.getAcl('offsets/a/tabs/1')).acl).toEqual([{ scheme: 'world', id: 'anyone', perms: 31 }]);
      expect(await secureTree(owner)).toEqual({ znodes: 12, changed: 12 });
      for (const path of ['', 'topologies/a', 'offsets/a/tabs/1', 'workers/w']) expect((await owner.getAcl(path)).acl).toEqual(SECURED);
      await expect(open.setJson('topologies/a', { x: 1 })).rejects.toBeInstanceOf(ZkNoAuthError);
      expect(await secureTree(owner)).toEqual({ znodes: 12, changed: 0 }); // idempotent
    } finally {
      await open.close();
      await owner.close();
    }
  });

  it('topology zk secure: the operator command, its dry run, and its refusal without zkAuth', async () => {
    const cliRoot = `${top}-cli`;
    const open = await ZkClient.connect(stack.zk, { root: cliRoot });
    try {
      await open.create('topologies/a', '{}');
      const env = { ...process.env, TABSTREAM_ZK: stack.zk, TABSTREAM_ZK_ROOT: cliRoot };
      const withAuth = { ...env, TABSTREAM_ZK_CREDENTIALS: 'tabstream:pw-zk-auth-test' };
      const refused = await runCli(['zk', 'secure'], env, 30_000);
      expect(refused).toMatchObject({ code: 1, stdout: '' });
      expect(refused.stderr).toMatch(/^topology: zk secure needs zkAuth, the identity to own the znodes: --zk-credentials-file, .*\n$/);
      const dry = await runCli(['zk', 'secure', '--dry-run'], withAuth, 30_000);
      expect(dry).toMatchObject({ code: 0, stdout: `3 of 3 znodes under ${cliRoot} would change to: full rights for digest user tabstream, read for anyone (dry run)\n` });
      const done = await runCli(['zk', 'secure'], withAuth, 30_000);
      expect(done).toMatchObject({ code: 0, stdout: `secured ${cliRoot}: 3 of 3 znodes changed; every one now has full rights for digest user tabstream, read for anyone\n` });
      expect((await open.getAcl('topologies/a')).acl).toEqual([{ scheme: 'digest', id: 'tabstream:x', perms: 31 }, SECURED[1]]);
      for (const output of [refused, dry, done]) expect(output.stdout + output.stderr).not.toContain('pw-zk-auth-test');
    } finally {
      await open.close();
    }
  });
});
