// Typed component handles: a bolt names each input by the handle t.spout()
// or t.bolt() returned, whose type carries the fields that component emits.
// Every misuse below is a compile error, marked `@ts-expect-error`: the
// project's typecheck (`tsc --noEmit -p .`, and dsl-typecheck.test.ts under
// `npm test`) fails when such a line compiles. Run anyway, as a topology
// module in JavaScript would, each is refused while the topology is built.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { topology, TopologyError, type BoltHandle, type ComponentHandle, type TopologyBuilder } from '../../topology/dsl';
import { kafkaSpout, type RecordField } from '../../spouts/kafka-spout';
import { parseBolt, type EventField } from '../../bolts/parse-bolt';
import { foldBolt, type StateField } from '../../bolts/fold-bolt';
import { redisSink } from '../../bolts/redis-sink-bolt';
import { stubBolt } from '../support/stub-bolt';

/** The Taba topology, declared as topology/builtin/taba.ts declares it; returns its handles. */
function declareTaba(t: TopologyBuilder) {
  const events = t.spout('events', kafkaSpout({ topic: 'tabs', keyField: 'tab' }));
  const parse = t.bolt('parse', parseBolt()).localOrShuffle(events);
  const fold = t.bolt('fold', foldBolt()).fields(parse, 'tab');
  const sink = t.bolt('sink', redisSink()).localOrShuffle(fold);
  return { events, parse, fold, sink };
}

describe('typed component handles', () => {
  it('carry, as a type, the fields each component emits', () => {
    topology('taba', (t) => {
      const { events, parse, fold, sink } = declareTaba(t);
      expectTypeOf(events).toEqualTypeOf<ComponentHandle<RecordField>>();
      expectTypeOf(parse).toEqualTypeOf<BoltHandle<EventField>>();
      expectTypeOf(fold).toEqualTypeOf<BoltHandle<StateField>>();
      expectTypeOf(sink.outputFields).toEqualTypeOf<readonly never[]>();
      expect(parse.outputFields).toEqual(['tab', 'type', 'value', 'time', 'client', 'id']);
      expect(fold.name).toBe('fold');
    });
  });

  it('let a fields grouping name several of the fields, and describe() still names components by string', () => {
    const t = topology('two', (t) => {
      const { parse } = declareTaba(t);
      t.bolt('pairs', stubBolt('pairs', ['n'])).fields(parse, 'client', 'tab');
    });
    expect(t.describe().edges.find((e) => e.to === 'pairs')).toMatchObject({ from: 'parse', grouping: { kind: 'fields', fields: ['client', 'tab'] } });
  });

  it.each<[string, (t: TopologyBuilder) => void, RegExp]>([
    ['a field its input does not emit', (t) => {
      const { parse } = declareTaba(t);
      // @ts-expect-error 'tabs' is not a field parse emits
      t.bolt('count', stubBolt('count', [])).fields(parse, 'tabs');
    }, /^bolt 'count': fields grouping on 'tabs', but 'parse' emits only \[tab, type, value, time, client, id\]$/],
    ['a field of another component than the one named (the wrong handle)', (t) => {
      const { events } = declareTaba(t);
      // @ts-expect-error the spout emits Kafka records (key, value, ...): 'tab' is parse's
      t.bolt('count', stubBolt('count', [])).fields(events, 'tab');
    }, /^bolt 'count': fields grouping on 'tab', but 'events' emits only \[key, value, topic, partition, offset, timestamp\]$/],
    ['a fields grouping on a component that emits nothing', (t) => {
      const { sink } = declareTaba(t);
      // @ts-expect-error the sink emits no field
      t.bolt('after', stubBolt('after', [])).fields(sink, 'tab');
    }, /^bolt 'after': fields grouping on 'tab', but 'sink' emits only \[\]$/],
    ['a fields grouping that names no field', (t) => {
      const { parse } = declareTaba(t);
      // @ts-expect-error at least one field
      t.bolt('count', stubBolt('count', [])).fields(parse);
    }, /^bolt 'count': fields grouping on 'parse' names no field$/],
    ['a component name in place of its handle', (t) => {
      declareTaba(t);
      // @ts-expect-error a name string is no handle
      t.bolt('count', stubBolt('count', [])).localOrShuffle('parse');
    }, /^bolt 'count' reads from the name 'parse': name an input by the handle this topology's t.spout\(\) or t.bolt\(\) returned$/],
    ['a component definition in place of its handle', (t) => {
      declareTaba(t);
      // @ts-expect-error a definition is no handle
      t.bolt('count', stubBolt('count', [])).shuffle(parseBolt());
    }, /^bolt 'count' reads from a value that is no component handle: /],
  ])('%s does not compile, and is refused at run time', (_what, declare, message) => {
    expect(() => topology('t', declare)).toThrow(TopologyError);
    expect(() => topology('t', declare)).toThrow(message);
  });

  it('refuses a handle of another topology at run time (its type cannot tell)', () => {
    let foreign: ComponentHandle<EventField> | undefined;
    topology('one', (t) => void (foreign = declareTaba(t).parse));
    expect(() =>
      topology('two', (t) => {
        declareTaba(t);
        t.bolt('count', stubBolt('count', [])).fields(foreign!, 'tab');
      }),
    ).toThrow(/^bolt 'count' reads from 'parse', a component of another topology: /);
  });
});
