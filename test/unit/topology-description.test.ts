import { describe, expect, it } from 'vitest';
import { renderDescription, topology, type TabTypeDefinition } from '../../topology/dsl';
import { kafkaSpout } from '../../spouts/kafka-spout';
import buildTaba from '../../topology/builtin/taba';
import { specDescription, specDescriptionText } from '../../topology/deploy/spec-description';
import { stubBolt as bolt } from '../support/stub-bolt';

/** Every kind of grouping and placement, a declared parallelism on the spout and a bolt, a registered Tab type. */
const mixed = () =>
  topology('mixed', (b) => {
    const events = b.spout('events', kafkaSpout({ topic: 'tabs', keyField: 'tab' }), { parallelism: 4 });
    const parse = b.bolt('parse', bolt('parse', ['tab', 'client'])).localOrShuffle(events);
    const count = b.bolt('count', bolt('count', ['n']), { parallelism: 2 }).fields(parse, 'client', 'tab').shuffle(events);
    b.bolt('all', bolt('all', [])).all(count).global(parse);
    b.tabType({ type: 'histogram' } as unknown as TabTypeDefinition);
  });

// What describe() printed when it returned text (before it was data): the renderer must print it to the letter.
const TABA_8 = `Topology: taba
  Spout: events (kafka: topic tabs, keyed by tab) x8
      emits [key, value, topic, partition, offset, timestamp]
      --> parse
  Bolt: parse (parse) x8
      <-- events [localOrShuffle] (local)
      emits [tab, type, value, time, client, id]
      --> fold
  Bolt: fold (fold) x8
      <-- parse [fields(tab)] (fused with the tabs partitions; stray keys via taba.fold.repartition)
      emits [tab, client, type, entry]
      --> sink
  Bolt: sink (redis-sink) x8
      <-- fold [localOrShuffle] (local)
      emits []`;

const MIXED_4 = `Topology: mixed
  Spout: events (kafka: topic tabs, keyed by tab) x4
      emits [key, value, topic, partition, offset, timestamp]
      --> parse, count
  Bolt: parse (parse) x4
      <-- events [localOrShuffle] (local)
      emits [tab, client]
      --> count, all
  Bolt: count (count) x2
      <-- parse [fields(client, tab)] (via mixed.count.repartition)
      <-- events [shuffle] (local)
      emits [n]
      --> all
  Bolt: all (all) x4
      <-- count [all] (via mixed.all.repartition)
      <-- parse [global] (via mixed.all.repartition)
      emits []
  Tab types: histogram (beside the built-in ones)`;

describe('describe() as data', () => {
  it('renders to the text describe() printed before, with and without partitions', () => {
    expect(renderDescription(buildTaba().describe(8))).toBe(TABA_8);
    expect(renderDescription(mixed().describe(4))).toBe(MIXED_4);
    // Without partitions, only declared parallelisms are printed.
    expect(renderDescription(buildTaba().describe())).toBe(TABA_8.replace(/ x8/g, ''));
    expect(renderDescription(mixed().describe())).toBe(MIXED_4.replace('Bolt: parse (parse) x4', 'Bolt: parse (parse)').replace('Bolt: all (all) x4', 'Bolt: all (all)'));
  });

  it('gives components, edges with grouping and placement, and topics', () => {
    const d = buildTaba().describe(8);
    expect(d.name).toBe('taba');
    expect(d.partitions).toBe(8);
    expect(d.components[0]).toEqual({
      kind: 'spout',
      name: 'events',
      type: 'kafka',
      topic: 'tabs',
      keyField: 'tab',
      outputFields: ['key', 'value', 'topic', 'partition', 'offset', 'timestamp'],
      tasks: 8,
    });
    expect(d.components.map((c) => [c.kind, c.name, c.type])).toEqual([
      ['spout', 'events', 'kafka'],
      ['bolt', 'parse', 'parse'],
      ['bolt', 'fold', 'fold'],
      ['bolt', 'sink', 'redis-sink'],
    ]);
    expect(d.edges).toEqual([
      { from: 'events', to: 'parse', grouping: { kind: 'localOrShuffle' }, placement: { kind: 'local' } },
      { from: 'parse', to: 'fold', grouping: { kind: 'fields', fields: ['tab'] }, placement: { kind: 'keyed', fields: ['tab'], topic: 'taba.fold.repartition', fused: true } },
      { from: 'fold', to: 'sink', grouping: { kind: 'localOrShuffle' }, placement: { kind: 'local' } },
    ]);
    expect(d.topics).toEqual([
      { topic: 'tabs', role: 'source', partitions: 8 },
      { topic: 'tabs.dlq', role: 'dead-letter', partitions: 1 },
      { topic: 'taba.fold.repartition', role: 'repartition', bolt: 'fold', partitions: 8 },
    ]);
    expect(d.tabTypes).toEqual([]);
  });

  it('names declared parallelism apart from the task count, and the repartition topics of fewer tasks', () => {
    const d = mixed().describe(4);
    const count = d.components.find((c) => c.name === 'count');
    expect(count).toMatchObject({ parallelism: 2, tasks: 2 });
    expect(d.components.find((c) => c.name === 'parse')).not.toHaveProperty('parallelism');
    expect(d.topics.filter((t) => t.role === 'repartition')).toEqual([
      { topic: 'mixed.count.repartition', role: 'repartition', bolt: 'count', partitions: 2 },
      { topic: 'mixed.all.repartition', role: 'repartition', bolt: 'all', partitions: 4 },
    ]);
    expect(d.tabTypes).toEqual(['histogram']);
    // Without partitions: no task counts, and the topics the edges name.
    const bare = mixed().describe();
    expect(bare.components.every((c) => c.tasks === undefined)).toBe(true);
    expect(bare.topics.map((t) => t.topic)).toEqual(['tabs', 'tabs.dlq', 'mixed.count.repartition', 'mixed.all.repartition']);
  });

  it('is plain JSON: it round-trips unchanged and renders the same after', () => {
    const d = mixed().describe(4);
    const back = JSON.parse(JSON.stringify(d));
    expect(back).toEqual(d);
    expect(renderDescription(back)).toBe(MIXED_4);
  });

  it('shares no arrays with the topology it describes', () => {
    const t = buildTaba();
    const d = t.describe(8);
    const edge = d.edges[1]!;
    if (edge.grouping.kind === 'fields') edge.grouping.fields.push('client');
    d.components[0]!.outputFields.length = 0;
    expect(renderDescription(t.describe(8))).toBe(TABA_8);
  });
});

describe("a deployed spec's description", () => {
  it('is read as data, or as the text a spec stored before descriptions were data', () => {
    const data = buildTaba().describe(8);
    expect(specDescription({ description: data })).toBe(data);
    expect(specDescriptionText({ description: data })).toBe(TABA_8);
    expect(specDescription({ description: TABA_8 })).toBeNull();
    expect(specDescriptionText({ description: TABA_8 })).toBe(TABA_8);
  });
});
