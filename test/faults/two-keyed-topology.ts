// A topology with two keyed bolts in a chain, so a tuple may cross tasks twice
// through two repartition topics: parse -> relay (fields client, through
// `<name>.relay.repartition`) -> fold (fields tab: fused where the event
// stayed in its Tab's task, else through `<name>.fold.repartition`) -> sink.
// One input record can then reach one task by both topics.
import { topology } from '../../topology/dsl';
import type { BoltDefinition } from '../../topology/dsl';
import { kafkaSpout } from '../../spouts/kafka-spout';
import { EVENT_FIELDS, parseBolt, type EventField } from '../../bolts/parse-bolt';
import { foldBolt } from '../../bolts/fold-bolt';
import { redisSink } from '../../bolts/redis-sink-bolt';

/** Passes every event on unchanged: only its grouping matters. */
function relayBolt(): BoltDefinition<unknown, EventField> {
  return { kind: 'bolt', type: 'relay', outputFields: EVENT_FIELDS, create: () => ({ execute: (tuple, emit) => emit(tuple) }) };
}

export default (opts: { name?: string; topic?: string } = {}) =>
  topology(opts.name ?? 'two-keyed', (t) => {
    const events = t.spout('events', kafkaSpout({ topic: opts.topic ?? 'tabs', keyField: 'tab' }));
    const parse = t.bolt('parse', parseBolt()).localOrShuffle(events);
    const relay = t.bolt('relay', relayBolt()).fields(parse, 'client');
    const fold = t.bolt('fold', foldBolt()).fields(relay, 'tab');
    t.bolt('sink', redisSink()).localOrShuffle(fold);
  });
