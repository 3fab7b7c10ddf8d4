import { describe, expect, it } from 'vitest';
import { topology, TopologyError, placeEdge, renderDescription, type BoltDefinition } from '../../topology/dsl';
import { kafkaSpout } from '../../spouts/kafka-spout';
import buildTaba from '../../topology/builtin/taba';

const bolt = (type: string, outputFields: string[]): BoltDefinition => ({
  kind: 'bolt',
  type,
  outputFields,
  create: () => ({ execute: () => {} }),
});

describe('topology DSL', () => {
  it('builds the Taba topology and describes its DAG with placements', () => {
    const taba = buildTaba();
    expect(taba.name).toBe('taba');
    expect(taba.components.map((c) => c.name)).toEqual(['events', 'parse', 'fold', 'sink']);
    const text = renderDescription(taba.describe(8));
    expect(text).toContain('Spout: events (kafka: topic tabs, keyed by tab) x8');
    expect(text).toContain('<-- parse [fields(tab)] (fused with the tabs partitions; stray keys via taba.fold.repartition)');
    expect(text).toContain('<-- events [localOrShuffle] (local)');
    expect(text).toContain('--> fold');
  });

  it('names the topic and topology it is given', () => {
    const t = buildTaba({ name: 'ads', topic: 'ad-events' });
    expect(t.spout.definition.topic).toBe('ad-events');
    expect(t.repartitionTopic('fold')).toBe('ads.fold.repartition');
  });

  it('places a fields grouping on another key through the repartition topic', () => {
    const t = topology('byclient', (b) => {
      b.spout('events', kafkaSpout({ topic: 'tabs', keyField: 'tab' }));
      b.bolt('parse', bolt('parse', ['tab', 'client'])).shuffle('events')
        .bolt('count', bolt('count', [])).fields('parse', 'client');
    });
    const p = placeEdge(t, t.component('count')!.inputs[0]!.grouping, 'count', 4);
    expect(p).toEqual({ kind: 'keyed', fields: ['client'], topic: 'byclient.count.repartition', fused: false });
    expect(renderDescription(t.describe(4))).toContain('(via byclient.count.repartition)');
  });

  it('is not fused when the bolt has another parallelism than the topic has partitions', () => {
    const t = topology('t', (b) => {
      b.spout('s', kafkaSpout({ topic: 'x', keyField: 'tab' }));
      b.bolt('p', bolt('p', ['tab'])).shuffle('s').bolt('f', bolt('f', []), { parallelism: 2 }).fields('p', 'tab');
    });
    const p = placeEdge(t, t.component('f')!.inputs[0]!.grouping, 'f', 8);
    expect(p.kind === 'keyed' && p.fused).toBe(false);
  });

  it.each([
    ['a cycle', (b: any) => {
      b.spout('s', kafkaSpout({ topic: 'x' }));
      b.bolt('a', bolt('a', ['k'])).shuffle('s').shuffle('b');
      b.bolt('b', bolt('b', ['k'])).shuffle('a');
    }, /cycle: (a -> b -> a|b -> a -> b)/],
    ['an unknown input', (b: any) => {
      b.spout('s', kafkaSpout({ topic: 'x' }));
      b.bolt('a', bolt('a', [])).shuffle('nope');
    }, /bolt 'a' reads from unknown component 'nope'/],
    ['a fields grouping on a field nobody emits', (b: any) => {
      b.spout('s', kafkaSpout({ topic: 'x' }));
      b.bolt('a', bolt('a', ['tab'])).shuffle('s').bolt('b', bolt('b', [])).fields('a', 'client');
    }, /fields grouping on 'client', but 'a' emits only \[tab\]/],
    ['a bolt with no input', (b: any) => {
      b.spout('s', kafkaSpout({ topic: 'x' }));
      b.bolt('a', bolt('a', []));
    }, /bolt 'a' has no input/],
    ['two components of one name', (b: any) => {
      b.spout('s', kafkaSpout({ topic: 'x' }));
      b.bolt('s', bolt('a', [])).shuffle('s');
    }, /component 's' is declared twice/],
    ['no spout', (b: any) => {
      b.bolt('a', bolt('a', [])).shuffle('a');
    }, /needs exactly one spout, it has 0/],
    ['a bad parallelism', (b: any) => {
      b.spout('s', kafkaSpout({ topic: 'x' }), { parallelism: 0 });
    }, /parallelism must be a positive integer/],
  ])('rejects %s with a clear error', (_what, declare, message) => {
    expect(() => topology('t', declare)).toThrow(TopologyError);
    expect(() => topology('t', declare)).toThrow(message);
  });

  it('rejects a bad topology name', () => {
    expect(() => topology('no spaces', () => {})).toThrow(/topology name 'no spaces'/);
  });
});
