import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AggregateReader, configEnv, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { expectExact, loadCounters } from '../support/event-loader';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('topology local', () => {
  it('deploys a topology, runs it in the foreground, and drains on SIGTERM', async () => {
    const config = testConfig();
    const name = uniqueName('local');
    const topic = `${name}-tabs`;
    const child = spawn(process.execPath, [`${ROOT}/bin/topology.js`, 'local', 'taba', '--name', name, '--topic', topic, '--partitions', '2'], {
      cwd: ROOT,
      env: configEnv(config),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => void (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => void (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const reader = new AggregateReader(config, name);
    try {
      await waitFor('the topology described', async () => output, (o) => o.includes(`Topology: ${name}`), 60_000);
      await waitFor('running', async () => output, (o) => o.includes('"msg":"running"'), 60_000);
      const expected = await loadCounters({ brokers: config.brokers, topic, events: 5000, tabs: 10, clients: 2 });
      await waitFor('exact counters', () => reader.counterTotals(), (t) => expectExact(t, expected).length === 0, 60_000);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toContain('draining');
    } finally {
      child.kill('SIGKILL');
      reader.close();
    }
  }, 120_000);
});
