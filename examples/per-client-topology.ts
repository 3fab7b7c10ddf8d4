// A topology whose fold is grouped by client instead of by Tab: the grouping
// key is not the topic's message key, so every event travels to its client's
// task through the repartition topic `<name>.fold.repartition`.
//   npx topology deploy examples/per-client-topology.ts --name per-client
import { topology } from '../topology/dsl';
import { kafkaSpout } from '../spouts/kafka-spout';
import { parseBolt } from '../bolts/parse-bolt';
import { foldBolt } from '../bolts/fold-bolt';
import { redisSink } from '../state/redis-sink-bolt';

export default (opts: { name?: string; topic?: string; maxEventFutureMs?: number } = {}) =>
  topology(opts.name ?? 'per-client', (t) => {
    t.spout('events', kafkaSpout({ topic: opts.topic ?? 'tabs', keyField: 'tab' }));
    t.bolt('parse', parseBolt({ maxEventFutureMs: opts.maxEventFutureMs })).localOrShuffle('events')
      .bolt('fold', foldBolt()).fields('parse', 'client')
      .bolt('sink', redisSink()).localOrShuffle('fold');
  });
