// The Kafka Streams peer's variants (issue 16): today's peer, then one
// tuning step at a time as a Kafka Streams expert would take it, each
// variant keeping the one before it (cumulative). Every variant does the
// same work (the same windows, sketches and dump) under exactly_once_v2
// with a 1 s commit interval; only how it runs changes.
//
// Warm JIT (the step d) is not a variant of the process: every
// run, of either system, is also timed over its steady slice (the messages
// after the first quarter, progress-watch.ts), and the comparison uses that
// figure for both.

export interface PeerVariant {
  /** Short name, as in the tables. */
  name: string;
  /** The letter(s) for the step this variant adds. */
  step: string;
  /** What it adds to the variant before it. */
  adds: string;
  /** JVM processes, all in one application (one consumer group). */
  instances: number;
  /** Stream threads in each. */
  threads: number;
  jvm: string[];
  store: 'rocksdb' | 'memory';
  decoder: 'jackson' | 'fast';
  changelogBatching: 'none' | 'lz4';
}

/** Today's peer since the benchmark began: G1, 1–3 GiB of heap. */
const DEFAULT_HEAP = ['-Xms1g', '-Xmx3g'];
/** A fixed heap, the throughput collector, every page touched at start. */
const FIXED_HEAP = ['-Xms3g', '-Xmx3g', '-XX:+UseParallelGC', '-XX:+AlwaysPreTouch'];

const baseline: PeerVariant = {
  name: 'baseline',
  step: 'a',
  adds: "today's peer: RocksDB stores with changelogs, Jackson, G1 with -Xms1g -Xmx3g, 2 stream threads in one JVM",
  instances: 1,
  threads: 2,
  jvm: DEFAULT_HEAP,
  store: 'rocksdb',
  decoder: 'jackson',
  changelogBatching: 'none',
};

function then(before: PeerVariant, name: string, step: string, adds: string, change: Partial<PeerVariant>): PeerVariant {
  return { ...before, ...change, name, step, adds };
}

const inMemory = then(baseline, 'in-memory', 'b', 'in-memory key-value stores (Stores.inMemoryKeyValueStore), changelogs and the record cache kept', { store: 'memory' });
const fixedHeap = then(inMemory, '+ parallel-gc', 'c', 'a fixed 3 GiB heap: -Xms3g -Xmx3g -XX:+UseParallelGC -XX:+AlwaysPreTouch', { jvm: FIXED_HEAP });
const fastDecoder = then(fixedHeap, '+ fast-decoder', 'e', "Jackson's fast double parser; no new String for a repeated Tab, client or type, nor a state key per event of one run", { decoder: 'fast' });
const batching = then(fastDecoder, '+ lz4-batching', 'g', 'changelog producer: linger.ms 100, batch.size 512 KiB, compression.type lz4 (StreamsConfig.producerPrefix)', { changelogBatching: 'lz4' });
const twoJvms = then(batching, '+ 2-jvms', 'f', 'two JVMs of one stream thread each (as Tabstream runs two worker processes), each with the same 3 GiB heap', { instances: 2, threads: 1 });
/** Not cumulative: g without c, since c lost in both of its runs and e, g and f carry that loss. */
const batchingG1 = then(batching, 'g on G1', 'h', "g with today's G1 heap (-Xms1g -Xmx3g) in place of c's fixed ParallelGC heap: in-memory stores, fast decoder, lz4 batching", { jvm: DEFAULT_HEAP });

/** In the order they are built up; a repetition runs them in this order or its reverse. */
export const PEER_VARIANTS: readonly PeerVariant[] = [baseline, inMemory, fixedHeap, fastDecoder, batching, twoJvms, batchingG1];

/** How a variant runs, for a run's `config`. */
export function variantConfig(v: PeerVariant): string {
  const shape = v.instances > 1 ? `${v.instances} JVMs × ${v.threads} stream thread` : `${v.threads} stream thread${v.threads > 1 ? 's' : ''}`;
  return `${v.name} (${shape}, exactly_once_v2)`;
}

/** The peer's arguments for a variant (beside brokers, topic, app id, state dir and output). */
export function variantArgs(v: PeerVariant): string[] {
  return ['--threads', String(v.threads), '--store', v.store, '--decoder', v.decoder, '--changelog-batching', v.changelogBatching];
}
