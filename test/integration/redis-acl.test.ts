// Tabstream under least-privilege Redis ACL users (state/redis-acl.ts,
// docs/security.md), on the test stack's Redis: a worker user deploys a
// topology and a worker logged in as it folds it exactly; a read-only user
// runs `query`, `status` and `serve`, and each of its writes is refused in
// one line; a wrong password, a user without one and a password in a flag
// are refused in one line; `offsets --execute` runs as the worker user; no
// output of any process carries a password; and Redis's ACL log shows that
// the worker user was refused nothing but CONFIG.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateStoreAccessError } from '../../state/errors';
import { aclSetUserArgs } from '../../state/redis-acl';
import { redisClient } from '../../state/redis-client';
import { partitionKeys } from '../../state/redis-keys';
import { RedisStateStore } from '../../state/redis-state-store';
import type { TabstreamConfig } from '../../topology/config';
import { configEnv, testConfig, uniqueName, waitFor, WorkerProcess } from '../support/pipeline-harness';
import { startServe, stopServe, type ServeProcess } from '../support/serve-process';
import { scratchDir } from '../support/scratch-dir';
import { testStack } from '../support/stack-env';
import { aclRefusals, recordCounters, recordingCli, waitForExactCounters, withUser } from '../support/redis-users';

describe('Redis ACL users: a worker user and a read-only user', () => {
  const stack = testStack();
  const name = uniqueName('acl');
  const topic = `${name}-tabs`;
  const workerUser = `${name}-worker`;
  const readerUser = `${name}-reader`;
  const workerPassword = randomBytes(18).toString('base64url');
  const readerPassword = randomBytes(18).toString('base64url');
  const wrongPassword = randomBytes(18).toString('base64url');
  const secrets = [workerPassword, readerPassword, wrongPassword];
  const dir = scratchDir('redis-acl');
  const passwordFile = join(dir, 'worker.password');
  const admin = new Redis(stack.redis, { commandTimeout: 5000, maxRetriesPerRequest: 1 });
  // The worker's password from a file, the reader's in TABSTREAM_REDIS: both ways a password may come.
  const workerConfig: TabstreamConfig = testConfig({ redis: withUser(stack.redis, workerUser), redisPasswordFile: passwordFile, flushIntervalMs: 200 });
  const readerConfig: TabstreamConfig = { ...workerConfig, redis: withUser(stack.redis, readerUser, readerPassword), redisPasswordFile: undefined };
  const outputs: string[] = [];
  const cli = recordingCli(outputs);

  const expected = new Map<string, number>();
  let worker: WorkerProcess | undefined;
  let serve: ServeProcess | undefined;

  beforeAll(async () => {
    writeFileSync(passwordFile, `${workerPassword}\n`, { mode: 0o600 });
    await admin.call('ACL', 'SETUSER', ...aclSetUserArgs(workerUser, 'worker', workerPassword));
    await admin.call('ACL', 'SETUSER', ...aclSetUserArgs(readerUser, 'reader', readerPassword));
  });

  afterAll(async () => {
    worker?.kill('SIGKILL');
    await stopServe(serve);
    await admin.call('ACL', 'DELUSER', workerUser, readerUser).catch(() => undefined);
    admin.disconnect();
  });

  it('a topology deployed and folded exactly by a worker logged in as the worker user', async () => {
    const deployed = await cli(workerConfig, 'deploy', 'taba', '--name', name, '--topic', topic, '--partitions', '4', '--flush-interval', '200');
    expect(deployed.stderr).toBe('');
    expect(deployed.code).toBe(0);
    worker = new WorkerProcess(workerConfig, `${name}-w1`, [], { group: true });
    const counts = await recordCounters(workerConfig.brokers, topic, 'acl_bids_', 2000, 5);
    for (const [tab, n] of counts) expected.set(tab, n);
    // Read as the reader: the library's reads need nothing a reader lacks.
    await waitForExactCounters(readerConfig, name, 'acl_.*', expected, worker);
    // Without CONFIG, the worker read what INFO tells and says what it could not check.
    expect(worker.output).toContain("could not read Redis's appendfsync (CONFIG GET: NOPERM");
  });

  it('query, status and serve work as the read-only user', async () => {
    const query = await cli(readerConfig, 'query', 'aggregate', 'acl_.*', '--json', '--topology', name);
    expect(query.stderr).toBe('');
    const aggregates = JSON.parse(query.stdout) as Record<string, { all: { count: number } }>;
    expect(Object.fromEntries(Object.entries(aggregates).map(([tab, a]) => [tab, a.all.count]))).toEqual(Object.fromEntries(expected));
    const tabs = await cli(readerConfig, 'query', 'tabs', 'acl_.*', '--clients', '--all', '--topology', name);
    expect(tabs.stdout).toContain('acl_bids_0');
    // The clients' names come from scan-fields.lua on Redis before 7.4, run as EVALSHA_RO / EVAL_RO.
    const clients = await cli(readerConfig, 'query', 'clients', 'acl_.*', '--topology', name);
    expect(clients.stderr).toBe('');
    expect(clients.stdout.trim()).toBe('bidder-1');
    const status = await cli(readerConfig, 'status', name, '--json');
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as { unavailable: string[]; partitions: Array<{ events: number | null }> };
    expect(parsed.unavailable).toEqual([]);
    expect(parsed.partitions.reduce((sum, p) => sum + (p.events ?? 0), 0)).toBe(2000);

    serve = await startServe(configEnv(readerConfig), name);
    const api = (await (await fetch(`${serve.url}/api/aggregate?tab=acl_bids_0`, { signal: AbortSignal.timeout(10_000) })).json()) as Record<string, { all: { count: number } }>;
    expect(api.acl_bids_0!.all.count).toBe(expected.get('acl_bids_0'));
    const apiStatus = await fetch(`${serve.url}/api/status`, { signal: AbortSignal.timeout(10_000) });
    expect(apiStatus.status).toBe(200);
    const metrics = await (await fetch(`${serve.url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    expect(metrics).toMatch(new RegExp(`tabstream_service_up\\{(?=[^}]*topology="${name}")(?=[^}]*service="redis")[^}]*\\} 1`));
    outputs.push(JSON.stringify(api), await apiStatus.text(), metrics);
  });

  it('the read-only user trying to write is refused in one line: a checkpoint script, an HSET, a script that writes, a deploy', async () => {
    const redis = redisClient(readerConfig, { timeoutMs: 3000, maxRetriesPerRequest: 1 });
    try {
      const store = new RedisStateStore(redis);
      const checkpoint = store.write({
        topology: name, partition: 0, token: 99, checkpointId: 'x', expectedWatermark: -1, watermark: 0, flushedAt: Date.now(), eventsDelta: 0,
        states: [], deleted: [], types: [], dedupAdded: new Map(), dedupExpireBefore: 0, sources: {}, clientCounts: null,
      });
      await expect(checkpoint).rejects.toThrow(StateStoreAccessError);
      await expect(checkpoint).rejects.toThrow(new RegExp(`^Redis refused this user the command \\(${name}:0\\): NOPERM this user has no permissions to run the 'evalsha' command$`));
      const meta = partitionKeys('ts', name, 0).meta;
      await expect(redis.hset(meta, 'watermark', '7')).rejects.toThrow(/^NOPERM this user has no permissions to run the 'hset' command$/);
      // A script it may run (EVAL_RO) cannot write either: Redis checks the user's ACL on every command a script runs.
      await expect(redis.call('EVAL_RO', "return redis.call('HSET', KEYS[1], 'watermark', '7')", '1', meta)).rejects.toThrow(/can't run this command/);
      // Nor read a key outside its prefix.
      await expect(redis.get(`not-${name}`)).rejects.toThrow(/^NOPERM this user has no permissions to access one of the keys/);
    } finally {
      redis.disconnect();
    }
    const deploy = await cli(readerConfig, 'deploy', 'taba', '--name', name, '--topic', topic, '--partitions', '4');
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toBe(`topology: Redis refused this user the command (${name}): NOPERM this user has no permissions to run the 'set' command\n`);
    expect(await admin.hget(partitionKeys('ts', name, 0).meta, 'watermark')).not.toBe('7');
  });

  it('a wrong password, a user without a password and a password in the --redis flag are refused in one line', async () => {
    const wrong = await cli({ ...readerConfig, redis: withUser(stack.redis, readerUser, wrongPassword) }, 'query', 'tabs', '--topology', name);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(`topology: Redis refused the login (${name}): WRONGPASS invalid username-password pair or user is disabled.\n`);
    const noPassword = await cli({ ...readerConfig, redis: withUser(stack.redis, readerUser) }, 'query', 'tabs', '--topology', name);
    expect(noPassword.code).toBe(1);
    expect(noPassword.stderr).toMatch(new RegExp(`^topology: redis://${readerUser}@127\\.0\\.0\\.1:\\d+: names the user ${readerUser} but no password: .*\\n$`));
    const flag = await cli(workerConfig, 'query', 'tabs', '--topology', name, '--redis', withUser(stack.redis, readerUser, readerPassword));
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(/^topology: the --redis flag carries a password, which ps shows to every user of this machine: [^\n]*\n$/);
  });

  it('offsets --execute, which writes, runs as the worker user', async () => {
    expect((await cli(workerConfig, 'deactivate', name)).code).toBe(0);
    await waitFor(
      'no owners, the worker stopped the topology',
      async () => (JSON.parse((await cli(readerConfig, 'status', name, '--json')).stdout) as { partitions: Array<{ worker: string | null }> }).partitions,
      (partitions) => partitions.every((p) => p.worker === null) && worker!.output.includes('stopped: no partitions assigned here'),
      30_000,
    );
    const moved = await cli(workerConfig, 'offsets', name, '--to-earliest', '--reset-state', '--execute');
    expect(moved.stderr).toBe('');
    expect(moved.code).toBe(0);
    expect(await admin.hget(partitionKeys('ts', name, 0).meta, 'moved_reset')).toBe('1');
  });

  it('no output carries a password, and Redis refused the worker user nothing but CONFIG', async () => {
    worker!.kill('SIGTERM');
    await worker!.waitExit(30_000);
    outputs.push(worker!.output, serve?.output() ?? '');
    for (const text of outputs) for (const secret of secrets) expect(text).not.toContain(secret);
    expect(await aclRefusals(admin, workerUser)).toEqual(['toplevel:config|get']);
    // The reader: only the writes and the foreign key this test tried (query, status and serve were refused nothing).
    expect(await aclRefusals(admin, readerUser)).toEqual([`key:not-${name}`, 'lua:hset', 'toplevel:evalsha', 'toplevel:hset', 'toplevel:set']);
  });
});
