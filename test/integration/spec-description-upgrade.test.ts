// A deployed spec stores the DAG as data; a spec deployed before that stored
// the text describe() printed. Such a spec is still read and printed, and
// deploying it again stores the data without bumping the version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployTopology } from '../../topology/deploy/deploy';
import { specDescription, specDescriptionText } from '../../topology/deploy/spec-description';
import { ZkClient } from '../../topology/coordination/zk-client';
import { readSpec } from '../../topology/coordination/spec-store';
import { renderDescription } from '../../topology/dsl';
import buildTaba from '../../topology/builtin/taba';
import { configEnv, testConfig, uniqueName } from '../support/pipeline-harness';
import { runCli } from '../support/run-cli';

describe("a deployed spec's description", () => {
  const config = testConfig();
  const name = uniqueName('desc');
  const topic = `${name}-tabs`;
  const expected = renderDescription(buildTaba({ name, topic }).describe(3));
  let zk: ZkClient;

  beforeAll(async () => {
    zk = await ZkClient.forConfig(config);
  });
  afterAll(async () => {
    await zk?.close();
  });

  it('is stored as data, which the CLI prints as the text it always printed', async () => {
    const deployed = await deployTopology(config, 'taba', { name, topic, partitions: 3 });
    const stored = (await readSpec(zk, name))!.spec;
    expect(specDescription(stored)).toEqual(buildTaba({ name, topic }).describe(3));
    expect(stored.description).toEqual(deployed.description);
    const run = await runCli(['deploy', 'taba', '--name', name, '--topic', topic], configEnv(config));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${expected}\ndeployed ${name} version 1 (3 partitions)\n`);
  }, 60_000);

  it('of a spec that stored text is read as that text; deploying again stores the data, same version', async () => {
    // Written as a deploy before descriptions were data wrote it.
    const current = (await readSpec(zk, name))!;
    await zk.set(`topologies/${name}`, Buffer.from(JSON.stringify({ ...current.spec, description: expected })), current.version);
    const old = (await readSpec(zk, name))!.spec;
    expect(old.description).toBe(expected);
    expect(specDescription(old)).toBeNull();
    expect(specDescriptionText(old)).toBe(expected);

    const again = await deployTopology(config, 'taba', { name, topic });
    expect(again.version).toBe(old.version);
    const upgraded = (await readSpec(zk, name))!.spec;
    expect(specDescription(upgraded)).toEqual(buildTaba({ name, topic }).describe(3));
    expect(upgraded.version).toBe(old.version);
  }, 60_000);
});
