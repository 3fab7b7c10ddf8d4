// `topology worker --semi-space-mib <n>` starts itself again (same pid) with
// that young generation: what V8 ran it with is in its command line.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { testConfig, uniqueName, waitFor, WorkerProcess } from '../support/pipeline-harness';

const commandLine = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

describe('a worker process', () => {
  const config = testConfig({ sessionTimeoutMs: 4000 });
  const workers: WorkerProcess[] = [];
  afterEach(async () => {
    for (const w of workers.splice(0)) {
      w.kill('SIGTERM');
      await w.waitExit();
    }
  });

  it('runs with the semi-space it is asked for, under the pid it was started as, and joins', async () => {
    const w = new WorkerProcess(config, uniqueName('young-64'), ['--semi-space-mib', '64']);
    workers.push(w);
    await waitFor(`${w.id} joined`, async () => w.logs.some((l) => l.msg === 'joined'), (joined) => joined, 20_000);
    expect(commandLine(w.pid)).toContain('--max-semi-space-size=64');
  });

  it("asks for 32 MiB by default, and keeps Node's own with 0", async () => {
    const plain = new WorkerProcess(config, uniqueName('young-default'));
    const own = new WorkerProcess(config, uniqueName('young-0'), ['--semi-space-mib', '0']);
    workers.push(plain, own);
    for (const w of [plain, own]) await waitFor(`${w.id} joined`, async () => w.logs.some((l) => l.msg === 'joined'), (joined) => joined, 20_000);
    expect(commandLine(plain.pid)).toContain('--max-semi-space-size=32');
    expect(commandLine(own.pid).some((a) => a.startsWith('--max-semi-space-size'))).toBe(false);
  });
});
