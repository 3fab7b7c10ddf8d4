// The Taba topology: Kafka events -> parse/validate -> fold (by Tab) -> Redis.
import { topology } from '../dsl';
import { kafkaSpout } from '../../spouts/kafka-spout';
import { parseBolt } from '../../bolts/parse-bolt';
import { foldBolt } from '../../bolts/fold-bolt';
import { redisSink } from '../../bolts/redis-sink-bolt';
import type { TopologyOptions } from '../loader';

export default (opts: TopologyOptions = {}) =>
  topology(opts.name ?? 'taba', (t) => {
    const events = t.spout('events', kafkaSpout({ topic: opts.topic ?? 'tabs', keyField: 'tab' }));
    const parse = t.bolt('parse', parseBolt({ maxEventFutureMs: opts.maxEventFutureMs, blockedTabs: opts.blockedTabs })).localOrShuffle(events);
    const fold = t.bolt('fold', foldBolt({ staleTabAfterMs: opts.staleTabAfterMs })).fields(parse, 'tab');
    t.bolt('sink', redisSink()).localOrShuffle(fold);
  });
