// The Taba topology with one more Tab type, `histogram` (examples/histogram-type.ts),
// registered next to its bolts: workers fold its events, and `topology query`,
// `topology serve` and the demo render them by loading this module from the
// deployed spec.
//   npx topology deploy examples/histogram-topology.ts --name latencies
//   npx topology query aggregate 'latency.*' --topology latencies --json
import { topology } from '../topology/dsl';
import { kafkaSpout } from '../spouts/kafka-spout';
import { parseBolt } from '../bolts/parse-bolt';
import { foldBolt } from '../bolts/fold-bolt';
import { redisSink } from '../bolts/redis-sink-bolt';
import type { TopologyOptions } from '../topology/loader';
import { createHistogramType, LATENCY_BOUNDS_MS } from './histogram-type';

/** Made once: the default export runs each time a worker starts the topology or a reader loads its types. */
const histogram = createHistogramType({ bounds: LATENCY_BOUNDS_MS });

export default (opts: TopologyOptions = {}) =>
  topology(opts.name ?? 'histograms', (t) => {
    t.tabType(histogram);
    const events = t.spout('events', kafkaSpout({ topic: opts.topic ?? 'tabs', keyField: 'tab' }));
    const parse = t.bolt('parse', parseBolt({ maxEventFutureMs: opts.maxEventFutureMs, blockedTabs: opts.blockedTabs })).localOrShuffle(events);
    const fold = t.bolt('fold', foldBolt({ staleTabAfterMs: opts.staleTabAfterMs })).fields(parse, 'tab');
    t.bolt('sink', redisSink()).localOrShuffle(fold);
  });
