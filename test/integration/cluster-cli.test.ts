import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { WorkerProcess, configEnv, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { loadCounters } from '../support/event-loader';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Status {
  spec: { status: string; version: number };
  generation: number | null;
  workers: Array<{ id: string }>;
  partitions: Array<{ partition: number; worker: string | null; committedOffset: number | null; endOffset: number; lag: number; lastFlush: number | null; events: number }>;
  totalLag: number;
}

describe('topology deploy, list, status, rebalance, deactivate, activate, kill', () => {
  const config = testConfig({ sessionTimeoutMs: 2000 });
  const name = uniqueName('ops');
  const topic = `${name}-tabs`;
  const workers: WorkerProcess[] = [];
  const cli = async (...args: string[]): Promise<string> =>
    (await run(process.execPath, [`${ROOT}/bin/topology.js`, ...args], { cwd: ROOT, env: configEnv(config) })).stdout;
  const status = async (): Promise<Status> => JSON.parse(await cli('status', name, '--json')) as Status;

  afterAll(() => {
    for (const w of workers) w.kill('SIGKILL');
  });

  it('manages a topology through its life', async () => {
    const deployed = await cli('deploy', 'taba', '--name', name, '--topic', topic, '--partitions', '4');
    expect(deployed).toContain(`Topology: ${name}`);
    expect(deployed).toContain(`deployed ${name} version 1 (4 partitions)`);
    expect(await cli('deploy', 'taba', '--name', name, '--topic', topic)).toContain('version 1');
    expect(await cli('deploy', 'taba', '--name', name, '--topic', topic, '--flush-interval', '500')).toContain('version 2');
    expect(await cli('list')).toMatch(new RegExp(`^${name}\\tactive\\tversion 2\\ttopic ${topic}\\t4 partitions`, 'm'));

    workers.push(new WorkerProcess(config, `${name}-a`), new WorkerProcess(config, `${name}-b`));
    await loadCounters({ brokers: config.brokers, topic, events: 20_000, tabs: 20, clients: 2 });
    // Lag is counted from Redis's watermark (the truth); the ZooKeeper offset is committed after the
    // checkpoint lands, so wait for both.
    const running = await waitFor(
      'all flushed, no lag, offsets committed',
      status,
      (s) => s.totalLag === 0 && s.partitions.every((p) => p.worker !== null && p.lastFlush !== null && p.committedOffset === p.endOffset),
      60_000,
    );
    expect(new Set(running.partitions.map((p) => p.worker))).toEqual(new Set([`${name}-a`, `${name}-b`]));
    expect(running.partitions.reduce((s, p) => s + p.events, 0)).toBe(20_000);
    for (const p of running.partitions) expect(p.committedOffset).toBe(p.endOffset);
    expect(running.workers.map((w) => w.id).sort()).toEqual([`${name}-a`, `${name}-b`]);
    const text = await cli('status', name);
    expect(text).toContain(`${name}: active, version 2, topic ${topic} (4 partitions)`);

    await cli('rebalance', name);
    const rebalanced = await waitFor('a new generation', status, (s) => (s.generation ?? 0) > running.generation!, 30_000);
    expect(rebalanced.partitions.every((p) => p.worker !== null)).toBe(true);

    expect(await cli('deactivate', name)).toContain(`${name} is inactive`);
    const inactive = await waitFor('partitions released', status, (s) => s.partitions.every((p) => p.worker === null), 30_000);
    expect(inactive.spec.status).toBe('inactive');
    await loadCounters({ brokers: config.brokers, topic, events: 1000, tabs: 5, clients: 1 });
    // Lag counts Kafka messages: 1000 events in messages of 100.
    expect((await status()).totalLag).toBe(10);

    expect(await cli('activate', name)).toContain(`${name} is active`);
    await waitFor('caught up again', status, (s) => s.totalLag === 0 && s.partitions.every((p) => p.worker !== null), 60_000);

    // A redeploy that changes the spec reaches the running workers: they drain and run the new version.
    expect(await cli('deploy', 'taba', '--name', name, '--topic', topic, '--flush-interval', '300')).toContain('version 3');
    await waitFor(
      'workers on version 3',
      async () => workers.filter((w) => w.logs.some((l) => l.msg === 'restarting on a new spec version' && l.version === 3)).length,
      (n) => n === 2,
      30_000,
    );
    await loadCounters({ brokers: config.brokers, topic, events: 1000, tabs: 5, clients: 1 });
    const v3 = await waitFor('caught up on version 3', status, (s) => s.totalLag === 0 && s.partitions.every((p) => p.worker !== null), 60_000);
    expect(v3.spec.version).toBe(3);
    expect(v3.partitions.reduce((sum, p) => sum + p.events, 0)).toBe(22_000);

    expect(await cli('kill', name, '--wait', '10')).toContain(`killed ${name}`);
    expect(await cli('list')).not.toContain(name);
    for (const w of workers) expect(w.exited).toBe(false);
    await waitFor('workers idle', async () => workers.every((w) => w.logs.some((l) => l.msg === 'stopped: no partitions assigned here')), (x) => x, 30_000);
  }, 240_000);

  it('refuses a module that is not a topology, and an unknown name, with one line', async () => {
    const bad = await cli('deploy', 'package.json').then(() => null, (e: { stderr: string; code: number }) => e);
    expect(bad?.code).toBe(1);
    expect(bad?.stderr.trim().split('\n')).toHaveLength(1);
    const unknown = await cli('status', 'no-such-topology').then(() => null, (e: { stderr: string }) => e);
    expect(unknown?.stderr.trim()).toBe("topology: no topology named 'no-such-topology' is deployed");
  });
});
