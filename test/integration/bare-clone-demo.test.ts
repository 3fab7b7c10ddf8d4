// The README's promise, as a new user meets it: `git clone`, then `npm run
// demo` with no other step. The clone has no node_modules; the demo's own
// bootstrap installs them (npm's cache may serve the packages), starts a
// local stack of its own (on ports chosen free here, in this run's scratch
// directory, so the test runner stops it whatever happens), folds and shows
// the events, and exits 0. No TABSTREAM_* service variable reaches it: it
// must find its services itself.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts } from '../support/free-ports';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('a bare clone', () => {
  const scratch = process.env.TABSTREAM_TEST_SCRATCH || tmpdir();
  const clone = mkdtempSync(join(scratch, 'bare-clone-'));
  const stackDir = mkdtempSync(join(scratch, 'bare-clone-stack-'));

  afterAll(() => {
    if (existsSync(join(stackDir, 'stack.json'))) spawnSync(process.execPath, [join(clone, 'bin/topology.js'), 'dev', 'down', '--dir', stackDir], { stdio: 'ignore', timeout: 60_000 });
    rmSync(clone, { recursive: true, force: true });
  });

  it('runs `npm run demo -- --duration 5` with no other step: installs what it needs, starts its stack, folds every event it sent', async () => {
    const cloned = spawnSync('git', ['clone', '--quiet', ROOT, clone], { encoding: 'utf8' });
    expect(cloned.status, cloned.stderr).toBe(0);
    expect(existsSync(join(clone, 'node_modules'))).toBe(false);
    const [zkPort, kafkaPort, redisPort] = (await freePorts(3)) as [number, number, number];
    // A user's environment: no service named, and not the test runner's Node (npm finds its own).
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TABSTREAM_') && !key.startsWith('VITEST') && key !== 'NODE_OPTIONS'));
    const args = ['run', 'demo', '--', '--duration', '5', '--dir', stackDir, '--zk-port', String(zkPort), '--kafka-port', String(kafkaPort), '--redis-port', String(redisPort)];
    const run = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn('npm', args, { cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => void (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => void (out += chunk.toString()));
      const timer = setTimeout(() => {
        process.kill(-child.pid!, 'SIGKILL');
        reject(new Error(`npm run demo did not end within 5 min:\n${out.slice(-4000)}`));
      }, 300_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
    expect(run.code, run.out.slice(-4000)).toBe(0);
    expect(existsSync(join(clone, 'node_modules', 'tsx'))).toBe(true);
    expect(run.out).toMatch(/^stack\s+up: ZooKeeper /m);
    const final = /^\S+ · final · (\d+) events sent · (\d+) folded/m.exec(run.out);
    expect(final, run.out.slice(-4000)).not.toBeNull();
    expect(Number(final![1])).toBeGreaterThan(500);
    expect(Number(final![2])).toBe(Number(final![1]));
  }, 320_000);
});
