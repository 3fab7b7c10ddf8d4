// `topology … | head`: a command whose stdout's reader went away ends quietly,
// exit code 0, no EPIPE stack trace.
import { beforeAll, describe, expect, it } from 'vitest';
import { deployTopology } from '../../topology/deploy/deploy';
import { configEnv, testConfig, uniqueName } from '../support/pipeline-harness';
import { runCli } from '../support/run-cli';

describe('a closed stdout', () => {
  const config = testConfig();
  const name = uniqueName('epipe');

  beforeAll(async () => {
    await deployTopology(config, 'taba', { name, topic: `${name}-tabs`, partitions: 2 });
  }, 60_000);

  // list and status close ZooKeeper after printing: the EPIPE arrived while they still ran.
  for (const args of [['list'], ['list', '--json'], ['status', '<name>'], ['status', '<name>', '--json'], ['query', 'types', '--topology', '<name>']]) {
    it(`ends ${args.join(' ')} with exit code 0 and nothing on stderr`, async () => {
      const run = await runCli(args.map((a) => a.replace('<name>', name)), configEnv(config), 30_000, { closeStdout: true });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    });
  }
});
