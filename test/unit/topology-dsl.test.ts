import { describe, expect, it } from 'vitest';
import { topology, TopologyError, placeEdge, renderDescription, type TopologyBuilder } from '../../topology/dsl';
import { kafkaSpout } from '../../spouts/kafka-spout';
import buildTaba from '../../topology/builtin/taba';
import { stubBolt as bolt } from '../support/stub-bolt';

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
      const events = b.spout('events', kafkaSpout({ topic: 'tabs', keyField: 'tab' }));
      const parse = b.bolt('parse', bolt('parse', ['tab', 'client'])).shuffle(events);
      b.bolt('count', bolt('count', [])).fields(parse, 'client');
    });
    const p = placeEdge(t, t.component('count')!.inputs[0]!.grouping, 'count', 4);
    expect(p).toEqual({ kind: 'keyed', fields: ['client'], topic: 'byclient.count.repartition', fused: false });
    expect(renderDescription(t.describe(4))).toContain('(via byclient.count.repartition)');
  });

  it('is not fused when the bolt has another parallelism than the topic has partitions', () => {
    const t = topology('t', (b) => {
      const s = b.spout('s', kafkaSpout({ topic: 'x', keyField: 'tab' }));
      const p = b.bolt('p', bolt('p', ['tab'])).shuffle(s);
      b.bolt('f', bolt('f', []), { parallelism: 2 }).fields(p, 'tab');
    });
    const p = placeEdge(t, t.component('f')!.inputs[0]!.grouping, 'f', 8);
    expect(p.kind === 'keyed' && p.fused).toBe(false);
  });

  // Mistakes the types cannot catch; those they do are in topology-handles.test.ts.
  it.each<[string, (b: TopologyBuilder) => void, RegExp]>([
    ['a cycle', (b) => {
      const s = b.spout('s', kafkaSpout({ topic: 'x' }));
      const a = b.bolt('a', bolt('a', ['k'])).shuffle(s);
      const c = b.bolt('b', bolt('b', ['k'])).shuffle(a);
      a.shuffle(c);
    }, /cycle: (a -> b -> a|b -> a -> b)/],
    ['a fields grouping on a field nobody emits, of a bolt whose fields are typed as any string', (b) => {
      const s = b.spout('s', kafkaSpout({ topic: 'x' }));
      const a = b.bolt('a', bolt<string>('a', ['tab'])).shuffle(s);
      b.bolt('b', bolt('b', [])).fields(a, 'client');
    }, /fields grouping on 'client', but 'a' emits only \[tab\]/],
    ['a bolt with no input', (b) => {
      b.spout('s', kafkaSpout({ topic: 'x' }));
      b.bolt('a', bolt('a', []));
    }, /bolt 'a' has no input: give it a grouping, e.g. .shuffle\(s\) with s = t.spout\('s', …\)/],
    ['two components of one name', (b) => {
      const s = b.spout('s', kafkaSpout({ topic: 'x' }));
      b.bolt('s', bolt('a', [])).shuffle(s);
    }, /component 's' is declared twice/],
    ['no spout', (b) => {
      const a = b.bolt('a', bolt('a', []));
      a.shuffle(a);
    }, /needs exactly one spout, it has 0/],
    ['a bad parallelism', (b) => {
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
