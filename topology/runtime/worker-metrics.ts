// A worker's Prometheus metrics. Nothing here runs on the record path. What
// the runners do (take-ups, hand-overs, checkpoints, stalls) comes from their
// events (ObservedRunners), so a partition handed over leaves every series at
// once; its ZooKeeper connection from its clients' events
// (zookeeper-metrics.ts); the per-record counters the tasks keep (TaskMetrics, handed over by
// `took_up`) are read at scrape time (collect callbacks).
import { deadLetterReason } from './task-metrics';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Worker } from './worker';
import { scrapedCounter, scrapedGauge, scrapedHistogram, type HistogramSample, type Sample } from './scraped-metrics';
import { RECORD_LATENCY_BOUNDS, RECORD_STAGES } from './record-latency';
import { ObservedRunners, type ObservedPartition, type ObservedTopology } from './observed-runners';
import { zookeeperMetrics } from './zookeeper-metrics';
import { processGcSeconds } from './gc-time';

/** TaskMetrics keys exported as counters of their own, with the help Prometheus shows. */
const TASK_COUNTERS: ReadonlyArray<readonly [key: string, name: string, help: string]> = [
  ['records', 'tabstream_records_total', 'Input records processed (spout topic and repartition topics)'],
  ['events_folded', 'tabstream_events_folded_total', 'Events folded into states and written to Redis by a checkpoint'],
  ['events_resent_dropped', 'tabstream_events_resent_dropped_total', 'Resent events (an id already in the dedup window) dropped'],
  ['records_replayed_skipped', 'tabstream_records_replayed_skipped_total', 'Replayed records (at or below the watermark) skipped'],
  ['tuples_forwarded', 'tabstream_tuples_forwarded_total', 'Tuples sent to another task through a repartition topic'],
  ['forwards_duplicate_skipped', 'tabstream_forwards_duplicate_skipped_total', 'Re-sent repartition envelopes skipped'],
  ['states_unreadable', 'tabstream_states_unreadable_total', 'States loaded from Redis whose type has no handler'],
  ['states_fetched', 'tabstream_states_fetched_total', 'States fetched from Redis into the working set (on demand, before the records that need them are folded)'],
  ['states_evicted', 'tabstream_states_evicted_total', 'States the working set dropped from memory after a checkpoint wrote them (fetched again when needed)'],
  ['states_collected', 'tabstream_states_collected_total', "Stale states deleted (Taba's GC: no event for the stale time, every window empty)"],
  ['tab_records_compacted', 'tabstream_tab_records_compacted_total', 'Tab records written whole once idle, their deltas deleted (a record with a stored delta is read and merged whole by queries)'],
  ['tab_records_rebuilt', 'tabstream_tab_records_rebuilt_total', 'Tab records rebuilt from the stored client states when a partition was taken up (data older than records, or written by an older worker)'],
  ['checkpoints_written', 'tabstream_checkpoints_written_total', 'Checkpoints written to Redis'],
  ['checkpoints_failed', 'tabstream_checkpoints_failed_total', 'Checkpoint attempts that failed (retried)'],
  ['checkpoints_fenced', 'tabstream_checkpoints_fenced_total', 'Checkpoints refused because a newer owner holds the partition'],
  ['checkpoints_lost', 'tabstream_checkpoints_lost_total', 'Checkpoints refused because Redis lost this owner’s earlier writes (the partition is taken up again)'],
  ['offset_mirror_disagreements', 'tabstream_offset_mirror_disagreements_total', 'Take-ups where ZooKeeper’s offset disagreed with Redis’s watermark (Redis is followed)'],
];

/** TaskMetrics gauges exported, as of the task's last checkpoint. */
const TASK_GAUGES: ReadonlyArray<readonly [key: string, name: string, help: string]> = [
  ['states', 'tabstream_states', '(Tab, client) states the task holds in memory'],
  ['dedup_window_ids', 'tabstream_dedup_window_ids', 'Event ids in the dedup window'],
  ['dedup_window_evicted_ids', 'tabstream_dedup_window_evicted_ids', 'Ids dropped early to keep the dedup window within its bound, since the task started'],
  ['dedup_window_unchecked_ids', 'tabstream_dedup_window_unchecked_ids', 'Ids let through unchecked (older than the window, or the window full), since the task started'],
];

/** The sum over reasons, which Prometheus computes itself. */
const DEAD_LETTERS_TOTAL_KEY = 'dead_letters';

interface TaskCount {
  topology: string;
  partition: string;
  key: string;
  value: number;
}

/** Every counter of every task of every topology the worker runs, read now. */
function taskCounts(observed: ObservedRunners): TaskCount[] {
  const out: TaskCount[] = [];
  for (const [topology, t] of observed.topologies) {
    for (const [partition, { metrics }] of t.partitions) {
      if (metrics === null) continue;
      for (const [key, value] of metrics.counters) out.push({ topology, partition: String(partition), key, value });
    }
  }
  return out;
}

/** The registry a worker's `/metrics` serves; made before the worker starts (it subscribes to its events). */
export function workerMetricsRegistry(worker: Worker): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ worker: worker.id });
  const checkpointDuration = new Histogram({
    name: 'tabstream_checkpoint_duration_seconds',
    help: 'Time to write a partition checkpoint to Redis',
    labelNames: ['topology'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const observed = new ObservedRunners(worker.events, (topology, seconds) => checkpointDuration.observe({ topology }, seconds));
  collectDefaultMetrics({ register: registry });
  processGcSeconds();
  scrapedCounter(registry, {
    name: 'tabstream_gc_seconds_total',
    help: "Seconds the process's garbage collector took, by kind (minor: scavenges of the young generation; major: full mark-compacts; incremental: marking steps), every collection counted",
    labelNames: ['kind'],
    read: () => Object.entries(processGcSeconds()).map(([kind, seconds]): Sample => [{ kind }, seconds]),
  });
  zookeeperMetrics(registry, worker.events);
  const perPartition = ['topology', 'partition'];
  const known = new Set([DEAD_LETTERS_TOTAL_KEY, ...TASK_COUNTERS.map(([key]) => key)]);
  const byTask = (c: TaskCount): Record<string, string> => ({ topology: c.topology, partition: c.partition });

  for (const [key, name, help] of TASK_COUNTERS) {
    scrapedCounter(registry, {
      name,
      help,
      labelNames: perPartition,
      read: () => taskCounts(observed).flatMap((c): Sample[] => (c.key === key ? [[byTask(c), c.value]] : [])),
    });
  }
  scrapedCounter(registry, {
    name: 'tabstream_dead_letters_total',
    help: 'Messages and events sent to the dead-letter topic, by reason',
    labelNames: [...perPartition, 'reason'],
    read: () =>
      taskCounts(observed).flatMap((c): Sample[] => {
        const reason = deadLetterReason(c.key);
        return reason === null ? [] : [[{ ...byTask(c), reason }, c.value]];
      }),
  });
  // Counters a topology's own bolts keep (TaskContext.count) show up here by name.
  scrapedCounter(registry, {
    name: 'tabstream_task_counter_total',
    help: 'Other counters kept by a topology’s bolts, by name',
    labelNames: [...perPartition, 'counter'],
    read: () =>
      taskCounts(observed).flatMap((c): Sample[] =>
        known.has(c.key) || deadLetterReason(c.key) !== null ? [] : [[{ ...byTask(c), counter: c.key }, c.value]],
      ),
  });

  // Gauges a task's bolts set (TaskContext.gauge): states held, the dedup window's size.
  for (const [key, name, help] of TASK_GAUGES) {
    scrapedGauge(registry, {
      name,
      help,
      labelNames: perPartition,
      read: () =>
        [...observed.topologies].flatMap(([topology, t]) =>
          [...t.partitions].flatMap(([partition, { metrics }]): Sample[] =>
            metrics?.gauges.has(key) ? [[{ topology, partition: String(partition) }, metrics.gauges.get(key)!]] : [],
          ),
        ),
    });
  }

  // Kafka Streams' record-e2e-latency (KIP-613), split by stage: the record's timestamp to now, per record.
  scrapedHistogram(registry, {
    name: 'tabstream_record_e2e_latency_seconds',
    help: 'Time from a record’s timestamp to its stage: fetched from Kafka, received from the reader’s prefetch queue, folded into the states, queryable (its checkpoint written to Redis)',
    labelNames: [...perPartition, 'stage'],
    bounds: RECORD_LATENCY_BOUNDS,
    read: () =>
      [...observed.topologies].flatMap(([topology, t]) =>
        [...t.partitions].flatMap(([partition, { metrics }]): HistogramSample[] =>
          metrics === null ? [] : RECORD_STAGES.map((stage) => [{ topology, partition: String(partition), stage }, metrics.latency.stage(stage)]),
        ),
      ),
  });

  /** One sample per topology, or per (topology, partition) where `per` gives one. */
  const perTopology = (value: (t: ObservedTopology) => number) => (): Sample[] =>
    [...observed.topologies].map(([topology, t]): Sample => [{ topology }, value(t)]);
  const perPartitionOf = (value: (p: ObservedPartition, now: number) => Sample | null) => (): Sample[] => {
    const now = Date.now();
    return [...observed.topologies].flatMap(([topology, t]) =>
      [...t.partitions].flatMap(([partition, p]): Sample[] => {
        const sample = value(p, now);
        return sample === null ? [] : [[{ topology, partition: String(partition), ...sample[0] }, sample[1]]];
      }),
    );
  };
  scrapedGauge(registry, {
    name: 'tabstream_owned_partitions',
    help: 'Partitions of the topology this worker runs',
    labelNames: ['topology'],
    read: perTopology((t) => t.running.size),
  });
  scrapedGauge(registry, {
    name: 'tabstream_assignment_generation',
    help: 'Last assignment generation (ownership epoch) the worker fully applied to the topology; -1 until the first',
    labelNames: ['topology'],
    read: perTopology((t) => t.generation),
  });
  scrapedGauge(registry, {
    name: 'tabstream_last_flush_age_seconds',
    help: 'Seconds since the last successful checkpoint of a partition assigned here (until it is handed over)',
    labelNames: perPartition,
    read: perPartitionOf((p, now) => (p.lastFlushAt === null ? null : [{}, (now - p.lastFlushAt) / 1000])),
  });
  scrapedGauge(registry, {
    name: 'tabstream_partition_stalled',
    help: 'Seconds an owned partition has been stalled (not checkpointing), by kind; absent when it moves',
    labelNames: [...perPartition, 'kind'],
    read: perPartitionOf((p, now) => (p.stall === null ? null : [{ kind: p.stall.kind }, (now - p.stall.since) / 1000])),
  });
  scrapedGauge(registry, {
    name: 'tabstream_offset_mirror_behind_seconds',
    help: 'Seconds ZooKeeper’s mirror of the offsets has been behind Redis (ZooKeeper not answering); 0 when caught up',
    labelNames: ['topology'],
    read: () => {
      const now = Date.now();
      return perTopology((t) => (t.mirrorBehindSince === null ? 0 : (now - t.mirrorBehindSince) / 1000))();
    },
  });
  scrapedCounter(registry, {
    name: 'tabstream_reader_restarts_total',
    help: 'Times the Kafka reader was found stopped (no fetch for 5 s, or none could start) and replaced',
    labelNames: ['topology'],
    read: perTopology((t) => t.readerStops),
  });
  scrapedGauge(registry, {
    name: 'tabstream_working_set_bytes',
    help: 'Estimated memory of the states this worker holds (all topologies)',
    labelNames: [],
    read: () => [[{}, worker.workingSet.bytes]],
  });
  scrapedGauge(registry, {
    name: 'tabstream_working_set_pinned_slab_bytes',
    help: 'Of the working set: the rest of the shared slabs the states\' kept bytes are views on (a slab lives while any view does)',
    labelNames: [],
    read: () => [[{}, worker.workingSet.pinnedOverheadBytes]],
  });
  scrapedGauge(registry, {
    name: 'tabstream_working_set_budget_bytes',
    help: 'The budget for states in memory (--working-set-mib)',
    labelNames: [],
    read: () => [[{}, worker.workingSet.budgetBytes]],
  });
  scrapedGauge(registry, {
    name: 'tabstream_worker_leader',
    help: '1 when this worker is the elected leader, else 0',
    labelNames: [],
    read: () => [[{}, worker.isLeader ? 1 : 0]],
  });
  return registry;
}
