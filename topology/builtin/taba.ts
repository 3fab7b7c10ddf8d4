// The Taba topology: Kafka events -> parse/validate -> fold (by Tab) -> Redis.
import { topology } from '../dsl';
import { kafkaSpout } from '../../spouts/kafka-spout';
import { parseBolt } from '../../bolts/parse-bolt';
import { foldBolt } from '../../bolts/fold-bolt';
import { redisSink } from '../../state/redis-sink-bolt';
import type { TopologyOptions } from '../loader';

export default (opts: TopologyOptions = {}) =>
  topology(opts.name ?? 'taba', (t) => {
    t.spout('events', kafkaSpout({ topic: opts.topic ?? 'tabs', keyField: 'tab' }));
    t.bolt('parse', parseBolt({ maxEventFutureMs: opts.maxEventFutureMs, blockedTabs: opts.blockedTabs })).localOrShuffle('events')
      .bolt('fold', foldBolt({ staleTabAfterMs: opts.staleTabAfterMs })).fields('parse', 'tab')
      .bolt('sink', redisSink()).localOrShuffle('fold');
  });
