// `topology worker` starts itself again (same pid) with a larger young
// generation, unless told otherwise: what V8 ran it with is in its command line.
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

  it('runs with a 64 MiB semi-space by default, under the pid it was started as, and joins', async () => {
    const w = new WorkerProcess(config, uniqueName('young-default'));
    workers.push(w);
    await waitFor(`${w.id} joined`, async () => w.logs.some((l) => l.msg === 'joined'), (joined) => joined, 20_000);
    expect(commandLine(w.pid)).toContain('--max-semi-space-size=64');
  });

  it('keeps what it is told: another size, or Node\'s own with 0', async () => {
    const sized = new WorkerProcess(config, uniqueName('young-32'), ['--semi-space-mib', '32']);
    const own = new WorkerProcess(config, uniqueName('young-0'), ['--semi-space-mib', '0']);
    workers.push(sized, own);
    for (const w of [sized, own]) await waitFor(`${w.id} joined`, async () => w.logs.some((l) => l.msg === 'joined'), (joined) => joined, 20_000);
    expect(commandLine(sized.pid)).toContain('--max-semi-space-size=32');
    expect(commandLine(own.pid).some((a) => a.startsWith('--max-semi-space-size'))).toBe(false);
  });
});
