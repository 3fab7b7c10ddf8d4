// Tabstream over TLS to a Redis that speaks TLS only (the local stack's TLS
// mode: port 0, tls-port, certificates of the stack's own CA) and wants a
// password: a worker logged in as the worker user folds a topology exactly
// with the CA trusted; a query as the read-only user presents a client
// certificate; a plaintext client, a client that does not trust the CA, and
// one with no password each fail in one line.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aclSetUserArgs } from '../../state/redis-acl';
import type { TabstreamConfig } from '../../topology/config';
import { testConfig, uniqueName, WorkerProcess } from '../support/pipeline-harness';
import { startTlsRedis, type TlsRedis } from '../support/tls-redis';
import { recordCounters, recordingCli, waitForExactCounters, withUser } from '../support/redis-users';

describe('Redis over TLS, with ACL users', () => {
  const name = uniqueName('tls');
  const topic = `${name}-tabs`;
  const workerPassword = randomBytes(18).toString('base64url');
  const readerPassword = randomBytes(18).toString('base64url');
  const adminPassword = randomBytes(18).toString('base64url');
  let redis: TlsRedis;
  let admin: Redis;
  let workerConfig: TabstreamConfig;
  let readerConfig: TabstreamConfig;
  let worker: WorkerProcess | undefined;
  const outputs: string[] = [];
  const cli = recordingCli(outputs);


  beforeAll(async () => {
    redis = await startTlsRedis('redis-tls');
    admin = new Redis(redis.url, { tls: redis.tls, commandTimeout: 5000, maxRetriesPerRequest: 1 });
    await admin.call('ACL', 'SETUSER', ...aclSetUserArgs('tabstream-worker', 'worker', workerPassword));
    await admin.call('ACL', 'SETUSER', ...aclSetUserArgs('tabstream-reader', 'reader', readerPassword));
    // From now on a client must log in: this connection is in already.
    await admin.call('CONFIG', 'SET', 'requirepass', adminPassword);
    workerConfig = testConfig({ redis: withUser(redis.url, 'tabstream-worker', workerPassword), redisTls: { ca: redis.files.ca }, flushIntervalMs: 200 });
    readerConfig = { ...workerConfig, redis: withUser(redis.url, 'tabstream-reader', readerPassword), redisTls: redis.files };
  });

  afterAll(async () => {
    worker?.kill('SIGKILL');
    admin?.disconnect();
    await redis?.down();
  });

  it('a worker folds a topology exactly over TLS, the stack CA trusted; a query reads it with a client certificate', async () => {
    expect(redis.url).toMatch(/^rediss:\/\/127\.0\.0\.1:\d+$/);
    const deployed = await cli(workerConfig, 'deploy', 'taba', '--name', name, '--topic', topic, '--partitions', '2', '--flush-interval', '200');
    expect(deployed.stderr).toBe('');
    worker = new WorkerProcess(workerConfig, `${name}-w1`, [], { group: true });
    const expected = await recordCounters(workerConfig.brokers, topic, 'tls_bids_', 1000, 3);
    await waitForExactCounters(readerConfig, name, 'tls_.*', expected, worker);
    const query = await cli(readerConfig, 'query', 'aggregate', 'tls_.*', '--json', '--topology', name);
    expect(query.stderr).toBe('');
    const aggregates = JSON.parse(query.stdout) as Record<string, { all: { count: number } }>;
    expect(Object.fromEntries(Object.entries(aggregates).map(([tab, a]) => [tab, a.all.count]))).toEqual(Object.fromEntries(expected));
    // The worker is logged in as its ACL user over TLS.
    const clients = (await admin.call('CLIENT', 'LIST')) as string;
    expect(clients).toMatch(/user=tabstream-worker/);
  });

  it('a plaintext client to the TLS port, and a TLS client not trusting the CA, fail in one line', async () => {
    const plaintext = await cli({ ...readerConfig, redis: readerConfig.redis.replace('rediss://', 'redis://'), redisTls: undefined }, 'query', 'tabs', '--topology', name);
    expect(plaintext.code).toBe(1);
    expect(plaintext.stderr).toMatch(
      new RegExp(`^topology: Redis unavailable \\(${name}\\): Redis closed every connection before answering \\(read ECONNRESET\\): a TLS port does that to a plaintext client; if it is one, use rediss:// \\(rediss-cluster://, rediss-sentinel://\\) and redisTls.ca\\n$`),
    );
    const untrusted = await cli({ ...readerConfig, redisTls: undefined }, 'query', 'tabs', '--topology', name);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(new RegExp(`^topology: Redis unavailable \\(${name}\\): Redis's TLS certificate was not accepted \\(self-signed certificate in certificate chain\\): trust its CA with redisTls.ca \\(TABSTREAM_REDIS_CA\\)[^\\n]*\\n$`));
  });

  it('a client with no password, or a wrong one, is refused the login in one line', async () => {
    const none = await cli({ ...readerConfig, redis: redis.url }, 'query', 'tabs', '--topology', name);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(`topology: Redis refused the login (${name}): NOAUTH: it requires a password and none was given (the redis URL, or redisPasswordFile)\n`);
    const wrong = await cli({ ...readerConfig, redis: withUser(redis.url, 'tabstream-reader', 'not-the-password') }, 'query', 'tabs', '--topology', name);
    expect(wrong.stderr).toBe(`topology: Redis refused the login (${name}): WRONGPASS invalid username-password pair or user is disabled.\n`);
  });

  it('no output carries a password', async () => {
    worker!.kill('SIGTERM');
    await worker!.waitExit(30_000);
    outputs.push(worker!.output);
    for (const text of outputs) for (const secret of [workerPassword, readerPassword, adminPassword]) expect(text).not.toContain(secret);
  });
});
