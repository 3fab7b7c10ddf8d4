// Tabstream with zkAuth end to end, on the test stack's ZooKeeper (digest
// needs no server setting): `topology deploy` and a worker process with the
// credentials fold exactly; every znode they made has Tabstream's ACL; the
// CLI without credentials, or with a wrong password, reads but is refused
// every change in one line; and the password shows in no output.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExactRun } from '../support/exact-run';
import { WorkerProcess, configEnv, testConfig, waitFor } from '../support/pipeline-harness';
import { runCli, type CliResult } from '../support/run-cli';
import { scratchDir } from '../support/scratch-dir';
import { testStack } from '../support/stack-env';
import { resolveConfig } from '../../topology/config';
import { ZkClient, securedAcl } from '../../topology/coordination/zk-client';
import { ZkNoAuthError } from '../../topology/coordination/zk-errors';
import type { TopologyStatus } from '../../topology/deploy/topology-status';

const PARTITIONS = 4;
const SECRET = `pw-${randomBytes(9).toString('hex')}`;

describe('zkAuth end to end: deploy, a worker, the CLI with, without and with wrong credentials', () => {
  const stack = testStack();
  const credentialsFile = join(scratchDir('zk-auth'), 'zk-credentials');
  writeFileSync(credentialsFile, `tabstream:${SECRET}\n`, { mode: 0o600 });
  const plain = testConfig({ flushIntervalMs: 200, sessionTimeoutMs: 4000 });
  const config = { ...plain, zkAuth: resolveConfig({ zkCredentialsFile: credentialsFile }, {}).zkAuth };
  const run = new ExactRun(config, 'zkauth', PARTITIONS);
  /** Everything every process of this test printed, to look for the password in. */
  const printed: string[] = [];
  const anonEnv = configEnv(plain);
  const cli = async (env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult> => {
    const r = await runCli(args, env, 30_000);
    printed.push(r.stdout, r.stderr);
    return r;
  };
  const anon = (...args: string[]) => cli(anonEnv, ...args);
  const wrong = (...args: string[]) => cli({ ...anonEnv, TABSTREAM_ZK_CREDENTIALS: 'tabstream:not-the-password' }, ...args);
  const withFile = (...args: string[]) => cli({ ...anonEnv, TABSTREAM_ZK_CREDENTIALS_FILE: credentialsFile }, ...args);
  const refusal = (path: string, hint = 'set zkAuth') => `topology: ZooKeeper refused: not authorized to change ${config.zkRoot}/${path} (NoAuth); ${hint}\n`;
  let worker: WorkerProcess;

  beforeAll(async () => {
    // The roots' shared parent stays open for the other tests on the stack (Tabstream secures only what it creates).
    await (await ZkClient.connect(stack.zk, { root: '/tabstream-test' })).close();
    const deployed = await withFile('deploy', 'taba', '--name', run.name, '--topic', run.topic, '--partitions', String(PARTITIONS), '--flush-interval', '200');
    expect(deployed.code, deployed.stderr).toBe(0);
    // Credentials from the flag alone: the worker's environment has none.
    worker = new WorkerProcess(plain, `${run.name}-w0`, ['--zk-credentials-file', credentialsFile]);
    run.workers.push(worker);
    for (const stream of [worker.child.stdout!, worker.child.stderr!]) stream.on('data', (chunk: Buffer) => printed.push(chunk.toString()));
    await run.produce(6000);
    await run.waitExact(60_000);
  }, 90_000);

  afterAll(async () => {
    run.close();
    const zk = await ZkClient.forConfig(config).catch(() => null);
    await zk?.remove('', { recursive: true }).catch(() => {});
    await zk?.close();
  });

  it('gives every znode the deploy and the worker created full rights for the digest identity and read for anyone', async () => {
    const zk = await ZkClient.forConfig(config);
    try {
      // The worker's commits of every partition (each offset znode exists once a checkpoint covered it).
      await waitFor('offsets of every partition', async () => (await zk.children(`offsets/${run.name}/${run.topic}`).catch(() => [])).length, (n) => n === PARTITIONS, 20_000);
      const paths = ['', 'topologies', `topologies/${run.name}`, 'assignments', `assignments/${run.name}`, 'workers', `workers/${worker.id}`, 'leader', 'offsets'];
      for (const leader of await zk.children('leader')) paths.push(`leader/${leader}`);
      for (const p of Array.from({ length: PARTITIONS }, (_, i) => i)) paths.push(`offsets/${run.name}/${run.topic}/${p}`);
      const expected = securedAcl(config.zkAuth!);
      expect(expected[0]!.id).toMatch(/^tabstream:[A-Za-z0-9+/]{27}=$/);
      for (const path of paths) expect({ path, acl: (await zk.getAcl(path)).acl }).toEqual({ path, acl: expected });
    } finally {
      await zk.close();
    }
  });

  it('lets the CLI without credentials read (status --json) and refuses its changes in one line', async () => {
    const status = await anon('status', run.name, '--json');
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as TopologyStatus).partitions.every((p) => p.worker === worker.id)).toBe(true);
    for (const command of ['deactivate', 'rebalance', 'kill']) {
      const r = await anon(command, run.name);
      expect({ command, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ command, code: 1, stdout: '', stderr: refusal(`topologies/${run.name}`) });
    }
    // Assignments and offsets, through a client of its own.
    const zk = await ZkClient.forConfig(plain);
    try {
      for (const path of [`assignments/${run.name}`, `offsets/${run.name}/${run.topic}/0`]) {
        await expect(zk.setJson(path, {})).rejects.toBeInstanceOf(ZkNoAuthError);
        expect(await zk.getJson(path)).not.toEqual({});
      }
    } finally {
      await zk.close();
    }
  });

  it('refuses a wrong password the same way', async () => {
    const r = await wrong('deactivate', run.name);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: refusal(`topologies/${run.name}`, 'check zkAuth: its credentials are not those that secured it'),
    });
  });

  it('moves no position in Redis when ZooKeeper would refuse the mirror (offsets --execute without credentials)', async () => {
    await run.deactivateAndWaitReleased(); // with the credentials (configEnv passes them)
    await run.produceUncounted(500);
    const view = async () => JSON.parse((await anon('offsets', run.name, '--json')).stdout) as { partitions: Array<{ position: number; end: number }> };
    const before = await view();
    expect(before.partitions.some((p) => p.position < p.end)).toBe(true);
    const r = await anon('offsets', run.name, '--to-latest', '--execute');
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: refusal('offsets') });
    expect(await view()).toEqual(before);
    const moved = await withFile('offsets', run.name, '--to-latest', '--execute');
    expect(moved.code, moved.stderr).toBe(0);
    expect((await view()).partitions.every((p) => p.position === p.end)).toBe(true);
  });

  it('prints the password nowhere: CLI output, the worker log, status --json; nor does ZooKeeper log it', async () => {
    const status = await withFile('status', run.name, '--json');
    expect(status.code, status.stderr).toBe(0);
    worker.kill('SIGTERM');
    await worker.waitExit(30_000);
    expect(worker.child.exitCode).toBe(0);
    expect(worker.logs.length).toBeGreaterThan(0);
    expect(printed.join('').length).toBeGreaterThan(1000);
    expect(printed.join('')).not.toContain(SECRET);
    expect(readFileSync(join(stack.dir, 'logs', 'zookeeper.log'), 'utf8')).not.toContain(SECRET);
  });
});
