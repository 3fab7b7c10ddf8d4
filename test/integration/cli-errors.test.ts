// Every mistake an operator makes on the command line is one line naming
// what to fix, exit code 1: nothing printed on stdout, no usage, no stack trace.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployTopology } from '../../topology/deploy/deploy';
import { configEnv, testConfig, uniqueName } from '../support/pipeline-harness';
import { runCli, type CliResult } from '../support/run-cli';
import { scratchDir } from '../support/scratch-dir';

function expectOneLineError(run: CliResult, message: string | RegExp): void {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr.endsWith('\n') && run.stderr.indexOf('\n') === run.stderr.length - 1, run.stderr).toBe(true);
  if (typeof message === 'string') expect(run.stderr).toBe(`topology: ${message}\n`);
  else expect(run.stderr).toMatch(message);
}

describe('CLI errors: one line, exit code 1', () => {
  const config = testConfig();
  const env = configEnv(config);
  const name = uniqueName('errors');
  const topic = `${name}-tabs`;

  beforeAll(async () => {
    await deployTopology(config, 'taba', { name, topic, partitions: 2 });
  }, 60_000);

  it('an unknown option or command names the help to read, not the whole usage', async () => {
    expectOneLineError(await runCli(['list', '--x'], env), "unknown option '--x' (see topology list --help)");
    expectOneLineError(await runCli(['query', 'tabs', '--topolgy', name], env), "unknown option '--topolgy', did you mean --topology? (see topology query tabs --help)");
    expectOneLineError(await runCli(['dev', 'upp'], env), "unknown command 'upp', did you mean up? (see topology dev --help)");
    expectOneLineError(await runCli(['status'], env), "missing required argument 'name' (see topology status --help)");
  });

  it('a config file that is wrong names the file and the key', async () => {
    const dir = scratchDir('cli-errors');
    const wrongType = join(dir, 'wrong-type.json');
    writeFileSync(wrongType, JSON.stringify({ brokers: 9092 }));
    expectOneLineError(
      await runCli(['list', '--config', wrongType], env),
      `config file ${wrongType}: brokers must be a list of "host:port" strings, or one comma-separated string, got 9092`,
    );
    const misspelt = join(dir, 'misspelt.json');
    writeFileSync(misspelt, JSON.stringify({ zkroot: '/x' }));
    expectOneLineError(await runCli(['query', 'types'], { ...env, TABSTREAM_CONFIG: misspelt }), `config file ${misspelt} (TABSTREAM_CONFIG): unknown key 'zkroot' (did you mean 'zkRoot'?)`);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{\n  "zk": "a",\n  zkRoot: "/x"\n}\n');
    expectOneLineError(await runCli(['list', '--config', broken], env), new RegExp(`^topology: config file ${broken}: not JSON: Expected double-quoted property name`));
  });

  it('kill with a --wait that is not a number of seconds is refused before anything changes', async () => {
    expectOneLineError(await runCli(['kill', name, '--wait', 'abc'], env), "--wait takes a whole number (0 or more), got 'abc'");
    expectOneLineError(await runCli(['kill', name, '--wait', '-1'], env), "--wait takes a whole number (0 or more), got '-1'");
    const status = await runCli(['status', name], env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(name);
    expect(status.stdout).not.toMatch(/killed/);
  });

  it('query of a topology never deployed says so', async () => {
    expectOneLineError(
      await runCli(['query', 'tabs', '--topology', `${name}-nosuch`], env),
      `no topology ${name}-nosuch deployed: Redis has no ts:${name}-nosuch:partitions (check --topology; topology list names the deployed ones)`,
    );
    const deployed = await runCli(['query', 'types', '--topology', name, '--json'], env);
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(JSON.parse(deployed.stdout)).toContainEqual({ type: 'counter', tabs: 0 });
  });

  it('deploy --partitions other than the existing topic’s count is refused, and nothing changes', async () => {
    expectOneLineError(
      await runCli(['deploy', 'taba', '--name', name, '--topic', topic, '--partitions', '4'], env),
      `--partitions 4: the topic ${topic} exists with 2 partitions, and a topology's partitions are its topic's: drop --partitions, or deploy on a new --topic`,
    );
    const again = await runCli(['deploy', 'taba', '--name', name, '--topic', topic], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`deployed ${name} version 1 (2 partitions)`);
  });
});
