// A headless Chromium for the dashboard's browser tests: Debian's chromium
// (test/support/chromium.ts) driven by playwright-core by its path, and the
// directory the tests keep their screenshots in (printed, so a run says
// where to look).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findChromium } from './chromium';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Chromium, headless; `--no-sandbox` because tests run as root, where Chromium's sandbox refuses to start. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** Where screenshots are kept: TABSTREAM_TEST_ARTIFACTS, else .test-artifacts/ in the repository (ignored by git); made and printed. */
export function artifactDir(name: string): string {
  const dir = join(process.env.TABSTREAM_TEST_ARTIFACTS || join(ROOT, '.test-artifacts'), name);
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`dashboard screenshots: ${dir}\n`);
  return dir;
}

/** A page that fails the test on any script error it meets (collected, read with `errors()`). */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: () => string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    // Failed requests are the red state's business (a 503 while Redis is paused); script errors are not.
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) errors.push(msg.text());
  });
  await page.goto(url);
  return { page, errors: () => errors };
}
