// The browser of the dashboard's browser tests: Debian's `chromium` package,
// found on PATH, or installed with apt-get (update once, then install) when
// missing and running as root, as the stack installs redis-server. Never a
// browser download of Playwright's own: playwright-core drives this one by
// its executable path.
import { spawnSync } from 'node:child_process';
import { findExecutable } from '../../deploy/stack/requirements';

const NAMES = ['chromium', 'chromium-browser'];

function found(): string | undefined {
  if (process.env.TABSTREAM_CHROMIUM) return process.env.TABSTREAM_CHROMIUM;
  for (const name of NAMES) {
    const path = findExecutable(name);
    if (path !== undefined) return path;
  }
  return undefined;
}

/** The path of a Chromium to run headless; throws one line saying what to install when there is none. */
export function findChromium(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): string {
  let path = found();
  if (path === undefined && process.getuid?.() === 0 && findExecutable('apt-get') !== undefined) {
    log('chromium: not installed; installing Debian’s chromium package with apt-get (once)');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const run = (args: string[]) => spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    const update = run(['update', '-q']);
    const install = run(['install', '-y', '-q', '--no-install-recommends', 'chromium']);
    path = found();
    if (path === undefined) {
      throw new Error(`apt-get install chromium failed: ${(install.stderr || update.stderr || `exit ${install.status}`).trim().split('\n').pop()}`);
    }
  }
  if (path === undefined) throw new Error('the browser tests need Chromium: install it (apt-get install -y chromium) or set TABSTREAM_CHROMIUM to its path');
  return path;
}
