// The dashboard draws the deployed topology's DAG from /api/topology, in a
// real headless Chromium against `topology serve` on the test stack: a node
// per component (and the source topic) with its task count, an edge per
// declared input labelled with its grouping and where its tuples go, and a
// repartition topic where the description has one. The names checked are
// those the API answers for a topology deployed under a name made up here,
// so a page that drew anything else (or nothing) fails.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployTopology } from '../../topology/deploy/deploy';
import type { TopologyDescription } from '../../topology/dsl';
import { artifactDir, launchChromium, openPage } from '../support/dashboard-browser';
import { configEnv, testConfig, uniqueName } from '../support/pipeline-harness';
import { startServe, stopServe, type ServeProcess } from '../support/serve-process';

interface Drawn {
  nodes: Array<{ name: string; kind: string; text: string }>;
  edges: Array<{ from: string; to: string; grouping: string; placement: string }>;
  topics: string[];
}

/** What the page's SVG holds: its nodes and edges by their data attributes and text, and the topic lines below it. */
function drawn(page: Page): Promise<Drawn> {
  return page.evaluate(`({
    nodes: [...document.querySelectorAll('#dag g.dag-node')].map((g) => ({
      name: g.dataset.name,
      kind: g.dataset.kind,
      text: [...g.querySelectorAll('text')].map((t) => t.textContent).join(' | '),
    })),
    edges: [...document.querySelectorAll('#dag g.dag-edge')].map((g) => ({
      from: g.dataset.from,
      to: g.dataset.to,
      grouping: g.querySelector('.dag-grouping')?.textContent ?? '',
      placement: g.querySelector('.dag-placement')?.textContent ?? '',
    })),
    topics: [...document.querySelectorAll('#dag-topics .dag-topic-line')].map((l) => l.textContent),
  })`);
}

async function descriptionOf(url: string, topology: string): Promise<TopologyDescription> {
  const answer = (await (await fetch(`${url}/api/topology?topology=${topology}`)).json()) as { description: TopologyDescription };
  return answer.description;
}

describe('the dashboard draws the topology’s DAG', () => {
  const config = testConfig();
  const taba = uniqueName('dag');
  const perClient = uniqueName('dagpc');
  let browser: Browser;
  let serve: ServeProcess;
  let shots: string;

  beforeAll(async () => {
    shots = artifactDir('dashboard');
    browser = await launchChromium();
    await deployTopology(config, 'taba', { name: taba, topic: `${taba}-tabs`, partitions: 3 });
    await deployTopology(config, 'examples/per-client-topology.ts', { name: perClient, topic: `${perClient}-tabs`, partitions: 4 });
    serve = await startServe(configEnv(config), taba);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stopServe(serve);
  });

  it('draws Taba: a node per component with its tasks, an edge per input with its grouping', async () => {
    const { page, errors } = await openPage(browser, `${serve.url}/`);
    await page.waitForSelector('#dag g.dag-node', { timeout: 20_000 });
    const description = await descriptionOf(serve.url, taba);
    const source = description.topics.find((t) => t.role === 'source')!.topic;
    expect(source).toBe(`${taba}-tabs`);
    const d = await drawn(page);

    // Every component the API describes, and the source topic (named after the deployed name) before them.
    expect(d.nodes.map((n) => n.name)).toEqual([source, ...description.components.map((c) => c.name)]);
    expect(d.nodes.map((n) => n.kind)).toEqual(['topic', 'spout', 'bolt', 'bolt', 'bolt']);
    expect(d.nodes.find((n) => n.name === 'events')!.text).toBe('events | spout · kafka | ×3 tasks · key tab');
    expect(d.nodes.find((n) => n.name === 'fold')!.text).toBe('fold | bolt · fold | ×3 tasks');

    // Every declared input, with its grouping and placement as the API describes it.
    expect(d.edges).toEqual([
      { from: source, to: 'events', grouping: '', placement: '' },
      { from: 'events', to: 'parse', grouping: 'localOrShuffle', placement: 'local' },
      { from: 'parse', to: 'fold', grouping: 'fields(tab)', placement: 'fused' },
      { from: 'fold', to: 'sink', grouping: 'localOrShuffle', placement: 'local' },
    ]);
    expect(d.edges.slice(1).map((e) => [e.from, e.to])).toEqual(description.edges.map((e) => [e.from, e.to]));
    // The topics beside the source: its dead letters, and fold's repartition topic (for keys a producer did not put on their Tab's partition).
    expect(d.topics).toEqual([`dead-letter topic: ${source}.dlq · 1 partition`, `repartition topic to fold: ${taba}.fold.repartition · 3 partitions`]);
    expect(d.topics).toHaveLength(description.topics.length - 1);

    // Laid out left to right: each edge ends right of where it starts.
    const ends: Array<[number, number]> = await page.evaluate(
      `[...document.querySelectorAll('#dag g.dag-edge path')].map((p) => { const l = p.getTotalLength(); return [p.getPointAtLength(0).x, p.getPointAtLength(l).x]; })`,
    );
    for (const [x1, x2] of ends) expect(x2).toBeGreaterThan(x1);
    expect(await page.textContent('#dag-note')).toBe('v1 · active · 3 partitions');
    await page.locator('#dag-section').screenshot({ path: join(shots, 'dag.png') });
    expect(errors()).toEqual([]);
    await page.close();
  }, 60_000);

  it('shows the repartition topic an edge crosses', async () => {
    const { page, errors } = await openPage(browser, `${serve.url}/?topology=${perClient}`);
    await page.waitForSelector('#dag g.dag-node', { timeout: 20_000 });
    const d = await drawn(page);
    const repartition = `${perClient}.fold.repartition`;
    expect(d.nodes.map((n) => n.name)).toEqual([`${perClient}-tabs`, 'events', 'parse', 'fold', 'sink']);
    expect(d.edges.find((e) => e.to === 'fold')).toEqual({ from: 'parse', to: 'fold', grouping: 'fields(client)', placement: `via ${repartition}` });
    expect(d.topics).toContain(`repartition topic to fold: ${repartition} · 4 partitions`);
    await page.locator('#dag-section').screenshot({ path: join(shots, 'dag-repartition.png') });
    expect(errors()).toEqual([]);
    await page.close();
  }, 60_000);
});
