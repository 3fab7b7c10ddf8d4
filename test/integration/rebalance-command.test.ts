// `topology rebalance` waits for the leader's new generation and says which
// partitions moved from which worker to which.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { deployTopology } from '../../topology/deploy/deploy';
import { Worker } from '../../topology/runtime/worker';
import { ZkClient } from '../../topology/coordination/zk-client';
import { readAssignment, writeAssignment } from '../../topology/coordination/assignment-store';
import { configEnv, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { runCli } from '../support/run-cli';

describe('topology rebalance', () => {
  const config = testConfig({ sessionTimeoutMs: 2000 });
  const env = configEnv(config);
  const name = uniqueName('rebalance');
  const [a, b] = [`${name}-a`, `${name}-b`];
  const workers: Worker[] = [];
  let zk: ZkClient;

  beforeAll(async () => {
    await deployTopology(config, 'taba', { name, topic: `${name}-tabs`, partitions: 4 });
    zk = await ZkClient.forConfig(config);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await zk?.close();
  });

  it('with no worker to lead, fails in one line once --wait is up', async () => {
    const run = await runCli(['rebalance', name, '--wait', '1'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`topology: rebalance of ${name} requested, but no leader wrote a new generation within 1 s: start a worker (the leader is one of them; the request stands until one leads), or wait longer (--wait)\n`);
  });

  it('prints the partitions that moved, and says when none did', async () => {
    for (const id of [a, b]) {
      const worker = new Worker({ config, id, log: pino({ level: 'warn' }) });
      workers.push(worker);
      await worker.start();
    }
    const balanced = await waitFor('both workers own 2', async () => (await readAssignment(zk, name))?.assignment, (x) => x !== undefined && Object.values(x.partitions).filter((w) => w === b).length === 2, 30_000);
    // An assignment left unbalanced (every partition on a): the leader only rewrites one when asked or when workers or specs change.
    const unbalanced = await writeAssignment(zk, name, { 0: a, 1: a, 2: a, 3: a }, 'test', true, balanced!.specVersion);

    const moved = await runCli(['rebalance', name], env);
    expect(moved.code, moved.stderr).toBe(0);
    const lines = moved.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`rebalance of ${name}: generation ${unbalanced.generation} -> ${unbalanced.generation + 1}, 2 of 4 partitions moved`);
    const after = (await readAssignment(zk, name))!.assignment;
    const toB = Object.keys(after.partitions).filter((p) => after.partitions[Number(p)] === b);
    expect(lines.slice(1)).toEqual(toB.map((p) => `partition ${p}: ${a} -> ${b}`));
    expect(toB).toHaveLength(2);

    const none = await runCli(['rebalance', name], env);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe(`rebalance of ${name}: generation ${after.generation} -> ${after.generation + 1}, no partition moved (each owner re-claims its partitions under generation ${after.generation + 1})\n`);
  }, 120_000);
});
