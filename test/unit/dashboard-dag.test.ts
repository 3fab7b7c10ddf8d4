// The dashboard's DAG layout (ui/dashboard-dag.js, a browser script), run in a
// VM context: layers left to right from the spout, its source topic before
// it, edges labelled with their grouping and where their tuples go.
import { readFileSync } from 'node:fs';
import { Script, createContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import buildTaba from '../../topology/builtin/taba';
import buildPerClient from '../../examples/per-client-topology';
import type { TopologyDescription } from '../../topology/dsl';

interface Placed {
  kind: string;
  name: string;
  layer: number;
  x: number;
  y: number;
  lines: string[];
}
interface Layout {
  nodes: Placed[];
  edges: Array<{ from: string; to: string; grouping: string; placement: string; groupingLines: string[]; placementLines: string[]; x1: number; x2: number }>;
  width: number;
  height: number;
}

const context = createContext({});
new Script(readFileSync(new URL('../../ui/dashboard-dag.js', import.meta.url), 'utf8')).runInContext(context);
const layout = (d: TopologyDescription): Layout => JSON.parse(JSON.stringify(context.tabstreamDag.layout(d)));
const wrap = (text: string, chars: number): string[] => [...context.tabstreamDag.wrap(text, chars)];

describe('the dashboard DAG layout', () => {
  it('puts Taba in five columns, the source topic first, and labels each edge', () => {
    const l = layout(buildTaba({ name: 'taba', topic: 'tabs' }).describe(3));
    expect(l.nodes.map((n) => [n.kind, n.name, n.layer])).toEqual([
      ['topic', 'tabs', 0],
      ['spout', 'events', 1],
      ['bolt', 'parse', 2],
      ['bolt', 'fold', 3],
      ['bolt', 'sink', 4],
    ]);
    expect(l.nodes.find((n) => n.name === 'events')!.lines).toEqual(['spout · kafka', '×3 tasks · key tab']);
    expect(l.nodes.find((n) => n.name === 'tabs')!.lines).toEqual(['Kafka topic', '3 partitions']);
    expect(l.edges.map((e) => [e.from, e.to, e.grouping, e.placement])).toEqual([
      ['tabs', 'events', '', ''],
      ['events', 'parse', 'localOrShuffle', 'local'],
      ['parse', 'fold', 'fields(tab)', 'fused'],
      ['fold', 'sink', 'localOrShuffle', 'local'],
    ]);
    // Left to right, every edge from a node's right side to the next one's left.
    for (const e of l.edges) expect(e.x2).toBeGreaterThan(e.x1);
    const right = Math.max(...l.nodes.map((n) => n.x));
    expect(l.width).toBeGreaterThan(right);
  });

  it('names the repartition topic an edge crosses, wrapped to the room between layers', () => {
    const l = layout(buildPerClient({ name: 'per-client', topic: 'tabs' }).describe(4));
    expect(l.edges.find((e) => e.to === 'fold')).toMatchObject({
      grouping: 'fields(client)',
      placement: 'via per-client.fold.repartition',
      groupingLines: ['fields(client)'],
      placementLines: ['via per-client.fold', '.repartition'],
    });
  });

  it('wraps a label before a dot or after a space or comma, and cuts what has none', () => {
    expect(wrap('via a-long-topology-name.fold.repartition', 22)).toEqual(['via ', 'a-long-topology-name', '.fold.repartition']);
    expect(wrap('fields(tab, client, region)', 14)).toEqual(['fields(tab, ', 'client, ', 'region)']);
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrap('local', 20)).toEqual(['local']);
    expect(wrap('', 20)).toEqual([]);
  });

  it('puts a component after the deepest of its inputs, and stacks one layer’s components', () => {
    const bolt = (name: string) => ({ kind: 'bolt' as const, name, type: 't', outputFields: [] });
    const edge = (from: string, to: string) => ({ from, to, grouping: { kind: 'shuffle' as const }, placement: { kind: 'local' as const } });
    const d: TopologyDescription = {
      name: 'diamond',
      components: [{ kind: 'spout', name: 's', type: 'kafka', outputFields: [], topic: 'in' }, bolt('a'), bolt('b'), bolt('c'), bolt('d')],
      edges: [edge('s', 'a'), edge('s', 'b'), edge('a', 'c'), edge('b', 'd'), edge('c', 'd'), edge('s', 'd')],
      topics: [{ topic: 'in', role: 'source' }],
      tabTypes: [],
    };
    const l = layout(d);
    const at = Object.fromEntries(l.nodes.map((n) => [n.name, n]));
    expect([at.in!.layer, at.s!.layer, at.a!.layer, at.b!.layer, at.c!.layer, at.d!.layer]).toEqual([0, 1, 2, 2, 3, 4]);
    expect(at.a!.x).toBe(at.b!.x);
    expect(at.b!.y).toBeGreaterThan(at.a!.y);
    expect(l.edges.filter((e) => e.from !== 'in')).toHaveLength(6);
    expect(at.s!.lines).toEqual(['spout · kafka', '']);
  });
});
