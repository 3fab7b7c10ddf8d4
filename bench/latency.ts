// Latency: event time to queryable in Redis, at a fixed offered load. A
// paced producer stamps each message's events with the wall time just before
// it hands them to the writer; a poller reads every partition's flushed
// watermark and, for each message the watermark passed, records now minus
// that stamp, once per event. Warm-up messages are not recorded. Redis's AOF
// rewrites are watched beside it: at this data size one starts every minute or
// two, and one landing in (or just before) a measured window leaves a backlog
// that window drains, so a p99 is read beside the rewrites that overlapped it.
import { partitionForKey } from '../client/partition-for-key';
import { AofRewriteWatch, type AofRewrite } from './aof-rewrite-watch';
import { BenchCluster, type StackAddresses } from './bench-cluster';
import { EventLoopLagWatch, type LoopLagFigures } from './event-loop-lag-watch';
import { LatencyHistogram } from './latency-histogram';
import { addStageBuckets, emptyStageBuckets, stageFigures, type StageBuckets, type StageFigures } from './stage-latency';
import { createTopic } from './loaded-topic';
import { TopicWriter } from './topic-writer';
import { Workload, type WorkloadShape } from './workload';

export interface LatencyResult {
  offeredEventsPerSecond: number;
  /** Events the producer actually sent per second (lower when it could not keep up). */
  sentEventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  samples: number;
  /** How long the workers' and the bench's event loops stood still over the measured window. */
  loopLag: LoopLagFigures;
  /** The warm-up's messages (sent before the measured window, from the workers' start), kept apart. */
  warmup: { p99Ms: number; maxMs: number; samples: number };
  /** Inside the workers over the measured window: each record's age when fetched, received, folded and queryable (their histograms). */
  stages: StageFigures;
  /** Redis's AOF rewrites seen from the warm-up's start to the window's end, in seconds from the window's start (negative: in the warm-up); null when Redis keeps no AOF. */
  aofRewrites: AofRewrite[] | null;
  /** Per second of the measured window, by send time: the slowest event's latency (ms); where the tail sits in time. */
  perSecond: Array<{ maxMs: number }>;
}

const TICK_MS = 10;
/** Epoch ms with 13 digits, so a stamp always fits the placeholder. */
const PLACEHOLDER_TIME = 1_000_000_000_000;

interface Template {
  key: Buffer;
  value: Buffer;
  events: number;
  partition: number;
  /** Where each event's 13 time digits are. */
  timeAt: number[];
}

function templates(shape: WorkloadShape, partitions: number): Template[] {
  const workload = new Workload(shape, PLACEHOLDER_TIME);
  const out: Template[] = [];
  const marker = Buffer.from('"time":');
  for (let m = workload.next(); m !== null; m = workload.next()) {
    const timeAt: number[] = [];
    for (let at = m.value.indexOf(marker); at >= 0; at = m.value.indexOf(marker, at + 1)) timeAt.push(at + marker.length);
    out.push({ key: Buffer.from(m.key), value: m.value, events: m.events, partition: partitionForKey(m.key, partitions), timeAt });
  }
  return out;
}

export async function measureLatency(opts: {
  stack: StackAddresses;
  shape: WorkloadShape;
  partitions: number;
  workers: number;
  eventsPerSecond: number;
  warmupMs: number;
  measureMs: number;
  /** The topology's checkpoint interval; the config's default (1000 ms) when absent. */
  flushIntervalMs?: number;
}): Promise<LatencyResult> {
  const topic = `latency-${Date.now().toString(36)}`;
  await createTopic(opts.stack.brokers, topic, opts.partitions);
  const pool = templates(opts.shape, opts.partitions);
  const cluster = new BenchCluster(opts.stack, 'latency', topic, opts.partitions, { flushIntervalMs: opts.flushIntervalMs });
  const writer = new TopicWriter(opts.stack.brokers, topic);
  const aofWatch = new AofRewriteWatch(opts.stack.redis);
  let aofWatched = false;
  try {
    await cluster.deploy();
    for (let i = 0; i < opts.workers; i++) cluster.startWorker({ metrics: true });
    await cluster.waitUntilBalanced(60_000);
    const lagWatch = new EventLoopLagWatch(cluster.workers);
    let lagWatched = false;
    const scrapeStages = async (): Promise<StageBuckets> => {
      const texts = await Promise.all(cluster.workers.map((w) => w.metricsText()));
      return texts.reduce((into, text) => addStageBuckets(text, into), emptyStageBuckets());
    };
    let stagesBefore: Promise<StageBuckets> | null = null;
    // Per partition, in send order: [stamp, events, recorded?] of each message not yet flushed.
    const inFlight: Array<Array<[number, number, boolean]>> = Array.from({ length: opts.partitions }, () => []);
    const latencies = new LatencyHistogram();
    const warmupLatencies = new LatencyHistogram();
    const perSecond: Array<{ maxMs: number }> = Array.from({ length: Math.ceil(opts.measureMs / 1000) }, () => ({ maxMs: 0 }));
    const started = Date.now();
    aofWatch.start();
    const recordFrom = started + opts.warmupMs;
    const stopAt = recordFrom + opts.measureMs;
    let sentEvents = 0;
    let sentMeasured = 0;
    let next = 0;
    let producing = true;
    const poller = (async () => {
      const done = new Array<number>(opts.partitions).fill(0);
      while (producing || inFlight.some((q) => q.length > 0)) {
        const watermarks = await cluster.flushedPerPartition();
        const now = Date.now();
        for (let p = 0; p < opts.partitions; p++) {
          while (done[p]! < watermarks[p]! && inFlight[p]!.length > 0) {
            const [at, events, record] = inFlight[p]!.shift()!;
            done[p]!++;
            (record ? latencies : warmupLatencies).add(now - at, events);
            const second = record ? perSecond[Math.floor((at - recordFrom) / 1000)] : undefined;
            if (second !== undefined) second.maxMs = Math.max(second.maxMs, now - at);
          }
        }
        if (!producing && now > stopAt + 20_000) throw new Error(`latency: messages not flushed 20 s after the end\n${cluster.logs()}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    // Paced: at every tick, send what the rate says is due since the last one (a late tick does not catch up in a burst).
    let lastTick = Date.now();
    while (Date.now() < stopAt) {
      const now = Date.now();
      if (!lagWatched && now >= recordFrom) {
        lagWatch.start();
        lagWatched = true;
        stagesBefore = scrapeStages();
      }
      const due = sentEvents + ((Math.min(now - lastTick, 5 * TICK_MS) / 1000) * opts.eventsPerSecond);
      lastTick = now;
      // Every message of a tick carries the tick's time, written over its template's placeholders as it is framed.
      const digits = Buffer.from(String(now), 'latin1');
      while (sentEvents < due) {
        const t = pool[next++ % pool.length]!;
        await writer.write(t.key, t.value, t.partition, { bytes: digits, at: t.timeAt });
        inFlight[t.partition]!.push([now, t.events, now >= recordFrom]);
        sentEvents += t.events;
        if (now >= recordFrom) sentMeasured += t.events;
      }
      await writer.flush();
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    producing = false;
    const loopLag = await lagWatch.stop();
    await writer.close();
    await poller;
    const stages = stageFigures(await (stagesBefore ?? scrapeStages()), await scrapeStages());
    aofWatched = true;
    const aof = await aofWatch.stop(recordFrom);
    return {
      offeredEventsPerSecond: opts.eventsPerSecond,
      sentEventsPerSecond: sentMeasured / (opts.measureMs / 1000),
      p50Ms: latencies.percentile(0.5),
      p99Ms: latencies.percentile(0.99),
      maxMs: latencies.max,
      samples: latencies.samples,
      loopLag,
      warmup: { p99Ms: warmupLatencies.percentile(0.99), maxMs: warmupLatencies.max, samples: warmupLatencies.samples },
      stages,
      aofRewrites: aof?.rewrites ?? null,
      perSecond,
    };
  } finally {
    if (!aofWatched) await aofWatch.stop(Date.now()).catch(() => null);
    writer.kill();
    await cluster.close();
  }
}
