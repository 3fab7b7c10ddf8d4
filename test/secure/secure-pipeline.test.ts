// The secure local stack (`dev up --secure`, issue 14): Kafka answers on
// SASL_SSL only (SCRAM-SHA-512, TLS from a CA the stack made). The whole
// pipeline stays exact on it through a worker's kill -9 (events without ids,
// totals this test computed itself); clients without the right credentials,
// or without TLS, are refused in one clear line; and no secret shows in any
// log, output or process list of the run.
import { execFile } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaAdmin, kafkaErrorLine } from '../../spouts/kafka-admin';
import { KafkaConnection } from '../../spouts/kafka-connection';
import { redisClient } from '../../state/redis-client';
import { RedisStateStore } from '../../state/redis-state-store';
import { ExactRun } from '../support/exact-run';
import { configEnv } from '../support/pipeline-harness';
import { runCli } from '../support/run-cli';
import { secureStack, type SecureStack } from '../support/secure-stack';
import { request, startServe, stopServe } from '../support/serve-process';

describe('the secure stack: Kafka on SASL_SSL (SCRAM-SHA-512, the stack’s CA)', () => {
  let stack: SecureStack;
  let run: ExactRun;

  beforeAll(async () => {
    stack = await secureStack();
    run = new ExactRun(stack.config({ sessionTimeoutMs: 4000 }), 'secure', 4);
  }, 240_000);

  afterAll(() => run?.close());

  /** The output of every `serve` the suite ran, and what its /metrics said, for the search for secrets. */
  const serves: Array<() => string> = [];
  const scraped: string[] = [];

  /** One admin call to the brokers with `security`; its failure as the one line an operator sees, or 'ok'. */
  const adminCall = async (security: ConstructorParameters<typeof KafkaConnection>[1]): Promise<string> => {
    const admin = new KafkaAdmin(new KafkaConnection(stack.brokers.split(','), security), 'secure-test', 5_000);
    try {
      await admin.cluster();
      return 'ok';
    } catch (err) {
      return kafkaErrorLine(err);
    } finally {
      await admin.close();
    }
  };

  it('the whole pipeline is exact: deploy, two workers, one killed -9, queries by the CLI', async () => {
    await run.deploy();
    run.startWorker();
    run.startWorker();
    await run.produce(20_000);
    await run.waitExact(90_000);
    run.workers[0]!.kill('SIGKILL');
    await run.workers[0]!.waitExit();
    await run.produce(20_000);
    await run.waitExact(90_000);
    const queried = await run.cli('query', 'aggregate', '.*', '--json', '--topology', run.name);
    expect(queried.code).toBe(0);
    expect(JSON.parse(queried.stdout)).toEqual(await run.reader.query.aggregate('.*'));
  }, 240_000);

  it('serve answers over TLS with the stack\'s certificate, and only to its bearer token', async () => {
    const ca = await readFile(stack.config().kafka!.tls!.ca!);
    const token = (await readFile(join(stack.secretsDir, 'api-tokens'), 'utf8')).trim().split(' ')[1]!;
    // As the readers' config file has it: Redis's read-only user.
    const serve = await startServe({ ...configEnv(stack.readerConfig({ zkRoot: run.config.zkRoot })), TABSTREAM_CONFIG: join(stack.dir, 'tabstream-reader.json') }, run.name);
    try {
      serves.push(serve.output);
      expect(serve.url).toMatch(/^https:/);
      const refused = await request(`${serve.url}/api/aggregate`, { ca });
      expect(refused.status).toBe(401);
      const wrong = await request(`${serve.url}/api/aggregate`, { ca, headers: { authorization: 'Bearer not-the-token-at-all' } });
      expect(wrong.status).toBe(401);
      const answered = await request(`${serve.url}/api/aggregate`, { ca, headers: { authorization: `Bearer ${token}` } });
      expect(answered.status).toBe(200);
      expect(JSON.parse(answered.body)).toEqual(await run.reader.query.aggregate('.*'));
      const metrics = await request(`${serve.url}/metrics`, { ca, headers: { authorization: `Bearer ${token}` } });
      expect(metrics.status).toBe(200);
      scraped.push(metrics.body);
    } finally {
      await stopServe(serve);
    }
  }, 60_000);

  it('Redis speaks TLS only, to its ACL users: no password, and the read-only user writing, are refused in one line each', async () => {
    const reader = stack.readerConfig();
    const line = (err: unknown): string => (err as Error).message;
    const tryWith = async (access: Parameters<typeof redisClient>[0], op: (store: RedisStateStore) => Promise<unknown>): Promise<string> => {
      const redis = redisClient(access, { timeoutMs: 3000, maxRetriesPerRequest: 0 });
      try {
        await op(new RedisStateStore(redis, { prefix: reader.redisPrefix }));
        return 'ok';
      } catch (err) {
        return line(err);
      } finally {
        redis.disconnect();
      }
    };
    const noPassword = await tryWith({ redis: reader.redis.replace(/\/\/[^@]*@/, '//'), redisTls: reader.redisTls }, (s) => s.readMeta(run.name, 0));
    const readerReads = await tryWith(reader, (s) => s.readMeta(run.name, 0));
    const readerWrites = await tryWith(reader, (s) => s.setPartitionCount(run.name, 4));
    const plaintext = await tryWith({ redis: reader.redis.replace('rediss://', 'redis://'), redisPasswordFile: reader.redisPasswordFile }, (s) => s.readMeta(run.name, 0));
    expect(readerReads).toBe('ok');
    expect(noPassword).toMatch(/NOAUTH|refused the login/);
    expect(readerWrites).toMatch(/NOPERM/);
    expect(plaintext).not.toBe('ok');
    for (const refused of [noPassword, readerWrites, plaintext]) expect(refused).not.toContain('\n');
    console.log(`Redis refused: no password: ${noPassword}\n  the reader writing: ${readerWrites}\n  plaintext: ${plaintext}`);
  }, 60_000);

  it("ZooKeeper: Tabstream's znodes change for its digest identity only; a client without it reads, and is refused a change in one line", async () => {
    const { TABSTREAM_ZK_CREDENTIALS: _c, ...withoutDigest } = configEnv(run.config);
    const listed = await runCli(['list'], withoutDigest, 60_000);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(run.name);
    const deactivated = await runCli(['deactivate', run.name], withoutDigest, 60_000);
    expect(deactivated.code).not.toBe(0);
    expect(deactivated.stderr.trim().split('\n')).toHaveLength(1);
    expect(deactivated.stderr).toMatch(/not authorized|NoAuth|NO_AUTH/i);
    // Still active: nothing changed.
    expect((await run.cli('status', run.name, '--json')).stdout).toContain('"partitions"');
    expect((await runCli(['list'], withoutDigest, 60_000)).stdout).toMatch(new RegExp(`${run.name}\\s+active`));
    console.log(`ZooKeeper refused: ${deactivated.stderr.trim()}`);
  }, 60_000);

  it('refuses, each in one clear line: no credentials, a wrong password, a plaintext connection to the TLS port', async () => {
    const ca = stack.config().kafka!.tls!.ca!;
    const wrong = join(stack.secretsDir, '..', 'wrong.password');
    await writeFile(wrong, 'not-the-password\n', { mode: 0o600 });
    const noCredentials = await adminCall({ tls: { ca } });
    const wrongPassword = await adminCall({ tls: { ca }, sasl: { mechanism: 'SCRAM-SHA-512', username: 'tabstream', passwordFile: wrong } });
    const plaintext = await adminCall({});
    for (const line of [noCredentials, wrongPassword, plaintext]) {
      expect(line).not.toBe('ok');
      expect(line).not.toContain('\n');
    }
    expect(wrongPassword).toMatch(/authenticat/i);
    expect(noCredentials).toMatch(/require SASL/);
    // The CLI, as an operator runs it without the SASL settings: status fails, saying why Kafka did not answer in one line, no stack trace.
    const { TABSTREAM_KAFKA_SASL_MECHANISM: _m, TABSTREAM_KAFKA_USERNAME: _u, TABSTREAM_KAFKA_PASSWORD_FILE: _p, ...withoutSasl } = configEnv(run.config);
    const status = await runCli(['status', run.name], withoutSasl, 60_000);
    expect(status.code).toBe(1);
    const kafkaLines = `${status.stdout}${status.stderr}`.split('\n').filter((l) => /Kafka/.test(l));
    expect(kafkaLines).toHaveLength(1);
    expect(kafkaLines[0]).toMatch(/require SASL/);
    expect(status.stderr).not.toMatch(/^\s+at /m);
    console.log(`refused: no credentials: ${noCredentials}\n  wrong password: ${wrongPassword}\n  plaintext: ${plaintext}\n  CLI without SASL: ${kafkaLines[0]}`);
  }, 120_000);

  it('shows no secret in any log line, output or process list of the run', async () => {
    const secrets = await Promise.all(
      (await readdir(stack.secretsDir)).filter((f) => f.endsWith('.password')).map(async (f) => (await readFile(join(stack.secretsDir, f), 'utf8')).trim()),
    );
    secrets.push((await readFile(join(stack.secretsDir, 'api-tokens'), 'utf8')).trim().split(' ')[1]!);
    secrets.push((await readFile(join(stack.secretsDir, 'zk-tabstream.credentials'), 'utf8')).trim().split(':')[1]!);
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    const logsDir = join(stack.dir, 'logs');
    const places: Array<[string, string]> = [
      ...(await Promise.all((await readdir(logsDir)).map(async (f): Promise<[string, string]> => [`stack log ${f}`, await readFile(join(logsDir, f), 'utf8')]))),
      ...run.workers.map((w): [string, string] => [`worker ${w.id}`, w.output]),
      ...serves.map((output, i): [string, string] => [`serve ${i}`, output()]),
      ...scraped.map((text, i): [string, string] => [`serve /metrics ${i}`, text]),
      ['process list', (await promisify(execFile)('ps', ['-eo', 'args'], { timeout: 10_000 })).stdout],
      ['dev status --json', (await runCli(['dev', 'status', '--dir', stack.dir, '--json'], process.env, 30_000)).stdout],
      ['status --json', (await run.cli('status', run.name, '--json')).stdout],
    ];
    const leaks = places.flatMap(([where, text]) => secrets.filter((s) => text.includes(s)).map(() => where));
    expect(leaks).toEqual([]);
    expect(scraped.length).toBeGreaterThan(0);
    // The search finds a secret where one is: the broker's own config (mode 0600) holds its keystore's password.
    const brokerConfig = await readFile(join(stack.dir, 'config', 'server.properties'), 'utf8');
    expect(secrets.some((s) => brokerConfig.includes(s))).toBe(true);
  }, 60_000);
});
