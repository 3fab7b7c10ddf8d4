// `topology list`, as text and as JSON (--json) for scripts.
import { beforeAll, describe, expect, it } from 'vitest';
import { deployTopology } from '../../topology/deploy/deploy';
import { configEnv, testConfig, uniqueName } from '../support/pipeline-harness';
import { runCli } from '../support/run-cli';

describe('topology list', () => {
  const config = testConfig();
  const env = configEnv(config);
  const name = uniqueName('list');
  const topic = `${name}-tabs`;
  let deployedAt = 0;

  beforeAll(async () => {
    deployedAt = (await deployTopology(config, 'taba', { name, topic, partitions: 3 })).deployedAt;
  }, 60_000);

  it('--json prints each deployed topology with the columns of the text', async () => {
    const run = await runCli(['list', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    // No worker runs under this test's ZooKeeper root: no assignment, generation null.
    expect(JSON.parse(run.stdout)).toEqual([{ name, status: 'active', version: 1, topic, partitions: 3, generation: null, deployedAt }]);
    const text = await runCli(['list'], env);
    expect(text.stdout).toBe(`${name}\tactive\tversion 1\ttopic ${topic}\t3 partitions\tgeneration -\n`);
  });

  it('--json prints [] when nothing is deployed', async () => {
    const run = await runCli(['list', '--json', '--zk-root', `${config.zkRoot}-empty`], env);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([]);
  });
});
