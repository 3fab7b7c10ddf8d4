// A topology whose fold is grouped by client instead of by Tab: the grouping
// key is not the topic's message key, so every event travels to its client's
// task through the repartition topic `<name>.fold.repartition`.
//   npx topology deploy examples/per-client-topology.ts --name per-client
import { topology } from '../topology/dsl';
import { kafkaSpout } from '../spouts/kafka-spout';
import { parseBolt } from '../bolts/parse-bolt';
import { foldBolt } from '../bolts/fold-bolt';
import { redisSink } from '../bolts/redis-sink-bolt';

export default (opts: { name?: string; topic?: string; maxEventFutureMs?: number } = {}) =>
  topology(opts.name ?? 'per-client', (t) => {
    const events = t.spout('events', kafkaSpout({ topic: opts.topic ?? 'tabs', keyField: 'tab' }));
    const parse = t.bolt('parse', parseBolt({ maxEventFutureMs: opts.maxEventFutureMs })).localOrShuffle(events);
    const fold = t.bolt('fold', foldBolt()).fields(parse, 'client');
    t.bolt('sink', redisSink()).localOrShuffle(fold);
  });
