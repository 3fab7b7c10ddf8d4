// `topology demo` as a user runs it, against the test stack: a child process
// that deploys, starts a worker, produces, shows aggregates and cleans up.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZkClient } from '../../topology/coordination/zk-client';
import { uniqueName } from '../support/pipeline-harness';
import { testStack } from '../support/stack-env';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function topologyCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/topology.js'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`topology ${args.join(' ')} did not end within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface TableRow {
  tab: string;
  type: string;
  clients: number;
  allCount: number;
}

/** The rows of the last table block that follows a status line starting with `header`. */
function lastTable(output: string, header: string): TableRow[] {
  const lines = output.split('\n');
  let start = -1;
  lines.forEach((l, i) => void (l.startsWith(header) && (start = i)));
  expect(start, `no '${header}' block in:\n${output}`).toBeGreaterThanOrEqual(0);
  const rows: TableRow[] = [];
  for (const line of lines.slice(start + 2)) {
    const m = /^(\S+)\s+(counter|gauge|percentile|unique|buffer)\s+(\d+)\s+(\d+|-)\s+(\d+)\s/.exec(line);
    if (m === null) break;
    rows.push({ tab: m[1]!, type: m[2]!, clients: Number(m[3]), allCount: Number(m[5]) });
  }
  return rows;
}

describe('topology demo', () => {
  const stack = testStack();
  const name = uniqueName('demo');
  const topic = `${name}-tabs`;
  // A ZooKeeper root of its own: the demo's worker runs every active topology
  // under its root, and other tests' topologies are none of its business.
  const zkRoot = `/${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'tabstream-demo-test-'));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ zkRoot }));
  const env = { ...process.env, TABSTREAM_ZK: stack.zk, TABSTREAM_BROKERS: stack.brokers, TABSTREAM_REDIS: stack.redis };

  afterAll(async () => {
    await topologyCli(['kill', name, '--config', configFile, '--wait', '1'], env, 30_000).catch(() => undefined);
    const zk = await ZkClient.connect(stack.zk, { root: '/' });
    await zk.remove(zkRoot.slice(1), { recursive: true }).catch(() => undefined);
    await zk.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows live aggregates of every Tab type, folds everything it sent, and leaves no worker behind', async () => {
    const args = ['demo', '--duration', '6', '--no-stack', '--name', name, '--topic', topic, '--config', configFile];
    const run = await topologyCli(args, env, 150_000);
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.code, output).toBe(0);

    expect(run.stdout).toMatch(new RegExp(`^deploy\\s+${name} \\(version \\d+\\) reads topic ${topic} \\(8 partitions\\)$`, 'm'));
    const rows = lastTable(run.stdout, `${name} · final`);
    const typesWithEvents = new Set(rows.filter((r) => r.allCount > 0).map((r) => r.type));
    expect([...typesWithEvents].sort()).toEqual(['buffer', 'counter', 'gauge', 'percentile', 'unique']);
    expect(rows.length).toBeGreaterThanOrEqual(24);
    expect(rows.find((r) => r.tab === 'bids')?.clients).toBe(4);

    // Every event sent was folded before the worker was stopped.
    const final = /^\S+ · final · (\d+) events sent · (\d+) folded/m.exec(run.stdout);
    expect(final, run.stdout).not.toBeNull();
    const [sent, folded] = [Number(final![1]), Number(final![2])];
    expect(sent).toBeGreaterThan(1000);
    expect(folded).toBe(sent);
    expect(rows.reduce((sum, r) => sum + r.allCount, 0)).toBe(sent);

    const pid = Number(/^worker\s+pid (\d+) \(.*\) took up 8 of 8 partitions/m.exec(run.stdout)?.[1]);
    expect(pid, run.stdout).toBeGreaterThan(0);
    expect(run.stdout).toMatch(new RegExp(`^worker\\s+pid ${pid} drained .* and exited$`, 'm'));
    expect(isAlive(pid)).toBe(false);
    expect(run.stdout).toContain(`npx topology status ${name} --config`);
  }, 180_000);
});
