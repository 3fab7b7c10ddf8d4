// The dashboard in a real headless Chromium (Debian's, driven by
// playwright-core), against `topology serve` on the fault suite's own stack
// (its Redis is paused here, so never the shared one), with events flowing:
// the page loads, its charts draw with data, a page opened late shows the
// history, a Tab's detail opens, the filter works and says why a pattern is
// bad, dead letters show by reason, and the page turns red within 3 s of
// Redis stopping. Screenshots are kept in the directory the run prints.
import { join } from 'node:path';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TabClient } from '../../client/tab-client';
import { deployTopology } from '../../topology/deploy/deploy';
import { Worker } from '../../topology/runtime/worker';
import type { TabstreamConfig } from '../../topology/config';
import { artifactDir, launchChromium, openPage } from '../support/dashboard-browser';
import { faultStack, type FaultStack } from '../support/fault-stack';
import { signal } from '../support/stack-handle';
import { configEnv, sleep, uniqueName, waitFor } from '../support/pipeline-harness';
import { startServe, stopServe, type ServeProcess } from '../support/serve-process';

const CLIENTS = ['web-1', 'web-2', 'web-3'];
const TABS = ['bids', 'latency_ms', 'queue_depth', 'users'];

// What runs in the page is written as expressions (strings): this project's TypeScript has no DOM types.
const CHARTS = 'window.tabstreamCharts';

/** Pixels of a uPlot chart's canvas within a small distance of `rgb`: the series drawn, not just a canvas present. */
function chartPixels(page: Page, chart: string, [r, g, b]: [number, number, number]): Promise<number> {
  return page.evaluate(`(() => {
    const ctx = ${CHARTS}[${JSON.stringify(chart)}].ctx;
    const d = ctx.getImageData(0, 0, ctx.canvas.width, ctx.canvas.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - ${r}) < 40 && Math.abs(d[i + 1] - ${g}) < 40 && Math.abs(d[i + 2] - ${b}) < 40 && d[i + 3] > 150) n++;
    return n;
  })()`);
}

/** A chart's data as uPlot holds it: x (seconds) then each series; null before the chart exists. */
function chartData(page: Page, chart: string): Promise<Array<Array<number | null>> | null> {
  return page.evaluate(`(() => { const u = ${CHARTS}[${JSON.stringify(chart)}]; return u ? u.data.map((s) => [...s]) : null; })()`);
}

/** Waits until `expression` is true in the page. */
async function until(page: Page, expression: string, timeout: number): Promise<void> {
  await page.waitForFunction(expression, undefined, { timeout });
}

/** The names of the Tabs table's rows. */
function tabRows(page: Page): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll('#tabs tr[data-tab]')].map((r) => r.dataset.tab)`);
}

describe('the dashboard in headless Chromium', () => {
  let stack: FaultStack;
  let config: TabstreamConfig;
  let worker: Worker;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let errors: () => string[];
  let producing = true;
  let loop: Promise<void> = Promise.resolve();
  const clients: TabClient[] = [];
  const name = uniqueName('dash');
  const topic = `${name}-tabs`;
  let shots: string;

  beforeAll(async () => {
    shots = artifactDir('dashboard');
    [stack, browser] = await Promise.all([faultStack(), launchChromium()]);
    config = stack.config({ flushIntervalMs: 500 });
    await deployTopology(config, 'taba', { name, topic, partitions: 3 });
    worker = new Worker({ config, id: `${name}-w`, log: pino({ level: 'warn' }) });
    await worker.start();
    for (const clientId of CLIENTS) {
      const client = new TabClient({ brokers: config.brokers, topic, clientId });
      await client.connect();
      clients.push(client);
    }
    // About 240 events/s of four types, until the suite ends.
    loop = (async () => {
      for (let i = 0; producing; i++) {
        for (const c of clients) {
          c.counter('bids').record(1 + (i % 5));
          c.percentile('latency_ms').record(5 + ((i * 37) % 100));
          c.unique('users').record(`u${i % 50}`);
          c.gauge('queue_depth').record(i % 30);
        }
        await sleep(50);
      }
    })();
    serve = await startServe(configEnv(config), name, ['--history-step', '1000']);
    ({ page, errors } = await openPage(browser, `${serve.url}/`));
  }, 180_000);

  afterAll(async () => {
    await stack?.resume('redis').catch(() => {});
    await stack?.resume('zookeeper').catch(() => {});
    producing = false;
    await loop;
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await browser?.close();
    await stopServe(serve);
    await worker?.stop();
  });

  it('loads, and its charts draw the last hour with data', async () => {
    // Events/s: several samples with a rate above zero, drawn in the series' colour.
    await until(page, `${CHARTS}.events !== undefined && ${CHARTS}.events.data[1].filter((v) => v !== null && v > 50).length >= 3`, 60_000);
    const events = (await chartData(page, 'events'))!;
    expect(events[0]!.length).toBe(events[1]!.length);
    expect(Math.max(...(events[1]!.filter((v) => v !== null) as number[]))).toBeGreaterThan(50);
    expect(await chartPixels(page, 'events', [0x2f, 0x6f, 0xec])).toBeGreaterThan(100);
    // Lag has a value per sample; checkpoint latency has the workers' reports.
    expect(((await chartData(page, 'lag'))![1]!).some((v) => v !== null)).toBe(true);
    // Two reports at least (the workers publish every 4 s), so there is a line between them to see.
    await until(page, `${CHARTS}.checkpoint.data[1].filter((v) => v !== null && v > 0).length >= 2`, 30_000);
    expect(await chartPixels(page, 'checkpoint', [0x0f, 0x9d, 0x8a])).toBeGreaterThan(20);

    // Every Tab has a row, and its rate sparkline has ink.
    await until(page, `document.querySelectorAll('#tabs tr[data-tab]').length === ${TABS.length}`, 30_000);
    expect(await tabRows(page)).toEqual(TABS);
    await until(
      page,
      `(() => {
        const canvas = document.querySelector('#tabs tr[data-tab="bids"] canvas.spark');
        if (!canvas) return false;
        const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let ink = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) ink++;
        return ink > 50;
      })()`,
      20_000,
    );

    // The workers panel: the worker, its host, its three partitions, running.
    const row = await page.textContent('#workers');
    expect(row).toContain(worker.id);
    expect(row).toContain('0, 1, 2');
    expect(await page.getAttribute('#dot', 'class')).toBe('dot ok');
    await page.screenshot({ path: join(shots, 'loaded.png'), fullPage: true });
    expect(errors()).toEqual([]);
  }, 120_000);

  it('a page opened late shows the hour the server kept, not only what came after it', async () => {
    const late = await openPage(browser, `${serve.url}/`);
    try {
      const sampledFor = await waitFor('samples kept by the server', async () => ((await (await fetch(`${serve.url}/api/history`)).json()) as { t: number[] }).t.length, (n) => n >= 10, 30_000);
      await until(late.page, `${CHARTS}.events !== undefined && ${CHARTS}.events.data[0].length >= ${sampledFor}`, 3000);
      expect(late.errors()).toEqual([]);
    } finally {
      await late.page.close();
    }
  }, 60_000);

  it('opens a Tab’s detail: its windows, percentile distribution and clients', async () => {
    await page.click('#tabs tr[data-tab="latency_ms"]');
    await page.waitForSelector('#detail:not([hidden])');
    await until(page, `document.querySelectorAll('#detail-clients td.tab').length === ${CLIENTS.length}`, 10_000);
    expect(await page.evaluate(`[...document.querySelectorAll('#detail-clients td.tab')].map((c) => c.textContent)`)).toEqual(CLIENTS);
    const distribution = (await chartData(page, 'distribution'))!;
    expect(distribution[0]).toEqual([0, 1, 2, 3, 4, 5, 6]); // p25 ... p99.9
    const all = distribution[distribution.length - 1]!;
    expect(all.every((v) => v !== null && v >= 5 && v <= 105)).toBe(true);
    expect(all).toEqual([...all].sort((a, b) => a! - b!));
    expect(await page.textContent('#detail-windows')).toContain('1h');
    await page.screenshot({ path: join(shots, 'tab-detail.png'), fullPage: true });
    await page.click('#detail-close');
    await page.waitForSelector('#detail', { state: 'hidden' });
  }, 60_000);

  it('filters the Tabs by pattern, and says why a bad pattern is refused', async () => {
    await page.fill('#filter', 'bid.*');
    await until(page, `[...document.querySelectorAll('#tabs tr[data-tab]')].map((r) => r.dataset.tab).join() === 'bids'`, 10_000);
    await page.fill('#filter', '(');
    await page.waitForSelector('#filter.invalid', { timeout: 10_000 });
    expect(await page.textContent('#tabs td.error')).toMatch(/^tab: bad pattern '\(':/);
    expect(await page.$$('#tabs tr[data-tab]')).toHaveLength(0);
    await page.fill('#filter', '');
    await until(page, `document.querySelectorAll('#tabs tr[data-tab]').length === ${TABS.length}`, 10_000);
    expect(await page.getAttribute('#filter', 'class')).not.toContain('invalid');
  }, 60_000);

  it('shows dead letters by reason', async () => {
    // A gauge event for a counter Tab: dead-lettered as type-mismatch.
    const odd = new TabClient({ brokers: config.brokers, topic, clientId: 'odd-1' });
    await odd.connect();
    odd.gauge('bids').record(1);
    await odd.close();
    await until(page, `/type-mismatch/.test(document.querySelector('#dead-letters').textContent)`, 30_000);
    const row: string[] = await page.evaluate(`[...document.querySelector('#dead-letters tr').querySelectorAll('td')].map((td) => td.textContent)`);
    expect(row[0]).toBe('type-mismatch');
    expect(Number(row[3])).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('asks for the token of a secured server, refuses a wrong one, and draws once given the right one', async () => {
    const TOKEN = 'dashboard-browser-token-0123456789';
    const env: NodeJS.ProcessEnv = { ...configEnv(config), TABSTREAM_API_TOKENS: `ops ${TOKEN}` };
    delete env.TABSTREAM_API_TOKENS_FILE;
    const secured = await startServe(env, name, ['--history-step', '1000']);
    const tab = await openPage(browser, `${secured.url}/`);
    try {
      await tab.page.waitForSelector('#auth:not([hidden])', { timeout: 10_000 });
      expect(await tab.page.textContent('#auth-message')).toBe('This server needs an API token.');
      await tab.page.fill('#auth-token', 'not-the-token-of-this-server');
      await tab.page.click('#auth button[type="submit"]');
      await until(tab.page, `document.querySelector('#auth-message').textContent === 'That token was refused: enter another.'`, 10_000);
      await tab.page.fill('#auth-token', TOKEN);
      await tab.page.click('#auth button[type="submit"]');
      await tab.page.waitForSelector('#auth', { state: 'hidden' });
      await until(tab.page, `document.querySelectorAll('#tabs tr[data-tab]').length === ${TABS.length}`, 20_000);
      await until(tab.page, `${CHARTS}.events !== undefined && ${CHARTS}.events.data[0].length > 0`, 20_000);
      expect(await tab.page.evaluate(`sessionStorage.getItem('tabstream-api-token')`)).toBe(TOKEN);
      expect(tab.errors()).toEqual([]);
    } finally {
      await tab.page.close();
      await stopServe(secured);
    }
  }, 90_000);

  /**
   * Pauses `service` (SIGSTOP) and waits for the red banner, timed from the
   * signal itself; runs `meanwhile` while it is red, then resumes it and
   * waits for the banner to go.
   */
  async function redWhilePaused(service: 'redis' | 'zookeeper', named: string, meanwhile: () => Promise<void>): Promise<void> {
    const pid = await stack.pid(service); // reads the stack's files: before the clock starts
    const pausedAt = Date.now();
    signal(pid, 'SIGSTOP');
    try {
      await page.waitForSelector('#outage:not([hidden])', { timeout: 10_000 });
      const tookMs = Date.now() - pausedAt;
      console.log(`red state ${tookMs} ms after ${named} was paused`);
      expect(tookMs).toBeLessThan(3000);
      expect(await page.textContent('#outage-what')).toMatch(new RegExp(`^${named} is not answering: ${named} did not answer within 0.8 s`));
      expect(await page.getAttribute('#dot', 'class')).toBe('dot bad');
      expect(await page.evaluate(`document.body.classList.contains('down')`)).toBe(true);
      await meanwhile();
    } finally {
      signal(pid, 'SIGCONT');
    }
    await page.waitForSelector('#outage', { state: 'hidden', timeout: 15_000 });
  }

  it('turns red within 3 s when Redis or ZooKeeper stops answering, naming it, and back when it answers', async () => {
    // Half a minute of history by now, a dead letter among it: the picture of the dashboard under load.
    await page.screenshot({ path: join(shots, 'under-load.png'), fullPage: true });
    await redWhilePaused('redis', 'Redis', async () => {
      // Let the charts show the stall a moment, then keep the picture.
      await sleep(2500);
      await page.screenshot({ path: join(shots, 'redis-paused.png'), fullPage: true });
    });
    // ZooKeeper only until the page says so: the workers' sessions outlive that.
    await redWhilePaused('zookeeper', 'ZooKeeper', async () => {});
    expect(errors()).toEqual([]);
  }, 60_000);
});
