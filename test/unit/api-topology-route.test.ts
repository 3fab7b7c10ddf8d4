// `/api/topology` on a fake reader: the description as data and text, an old spec's text, 404 when nothing is deployed.
import { describe, expect, it } from 'vitest';
import { API_ROUTES, HttpError, type RouteContext } from '../../ui/api-routes';
import type { ClusterReader } from '../../ui/cluster-reader';
import type { TopologySpec } from '../../topology/deploy/topology-spec';
import { renderDescription } from '../../topology/dsl';
import buildTaba from '../../topology/builtin/taba';

const route = API_ROUTES['/api/topology']!;

function ask(spec: TopologySpec | null): Promise<unknown> {
  const reader = { spec: async (name: string) => (spec?.name === name ? spec : null) } as unknown as ClusterReader;
  return route({ params: new URLSearchParams(), reader, topology: 'taba', budget: undefined } as unknown as RouteContext);
}

const spec = (description: TopologySpec['description']): TopologySpec => ({
  name: 'taba',
  module: 'taba',
  options: { topic: 'tabs' },
  partitions: 8,
  status: 'active',
  version: 3,
  deployedAt: 0,
  config: { flushIntervalMs: 1000 },
  description,
});

describe('/api/topology', () => {
  it('answers the deployed description as data and as text', async () => {
    const data = buildTaba().describe(8);
    expect(await ask(spec(data))).toEqual({ name: 'taba', version: 3, status: 'active', description: data, text: renderDescription(data) });
  });

  it('answers the text alone (description null) for a spec that stored text', async () => {
    const text = renderDescription(buildTaba().describe(8));
    expect(await ask(spec(text))).toEqual({ name: 'taba', version: 3, status: 'active', description: null, text });
  });

  it('is a 404 when no topology of that name is deployed', async () => {
    const answer = ask(null);
    await expect(answer).rejects.toBeInstanceOf(HttpError);
    await expect(answer).rejects.toMatchObject({ status: 404, message: "no topology named 'taba' is deployed" });
  });
});
