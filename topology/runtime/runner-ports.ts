// What the runner needs from the services, as interfaces: the worker plugs
// in Redis, ZooKeeper and Kafka (RedisStateStore, ZkOffsetStore, KafkaOutbox,
// PartitionReader); the runner's unit tests plug in fakes in memory. The
// input consumer's contract is contracts/input-consumer.ts (spouts implement it).
import type { LoadedPartition, PartitionCheckpoint } from '../../contracts/partition-checkpoint';
import type { Outbox } from './outbox';

/** The durable half of the checkpoint protocol (Redis). */
export interface RunnerStateStore {
  /** Claims a partition under an assignment generation: the claim's fencing token and Redis's watermark. */
  claim(topology: string, partition: number, generation: number, lastToken?: number): Promise<{ token: number; watermark: number }>;
  /** The claim token and watermark Redis holds for each partition (-1 where none), in one round. */
  readPositions(topology: string, partitions: readonly number[]): Promise<Array<{ token: number; watermark: number }>>;
  /** One fenced, idempotent checkpoint; false when this checkpoint id was applied already. */
  write(checkpoint: PartitionCheckpoint): Promise<boolean>;
  /** A partition's meta and dedup window (and with `states`, every state: not for a worker, which fetches them on demand). */
  load(topology: string, partition: number, opts?: { states?: boolean }): Promise<LoadedPartition>;
  /** Stored states and Tab types of one partition, null where none, in one round. */
  fetchStates(
    topology: string,
    partition: number,
    states: ReadonlyArray<{ tab: string; client: string }>,
    tabs: readonly string[],
  ): Promise<{ states: Array<Buffer | null>; types: Array<string | null> }>;
  /** One page of a cursor walk over a partition's stored states, with their Tabs' types. */
  scanStatesPage(
    topology: string,
    partition: number,
    cursor: string,
    count: number,
  ): Promise<{ cursor: string; states: Array<{ tab: string; client: string; type: string | null; bytes: Buffer }> }>;
}

/** The mirror of the positions that Storm-style tooling reads (ZooKeeper). */
export interface RunnerOffsetStore {
  get(topology: string, topic: string, partition: number): Promise<number | null>;
  /** Moves the mirror forward (a lower offset is ignored). */
  commit(topology: string, topic: string, partition: number, nextOffset: number): Promise<unknown>;
  /** Sets the mirror, backwards too (it was ahead of Redis: Redis lost writes, or a late commit). */
  reset(topology: string, topic: string, partition: number, nextOffset: number): Promise<unknown>;
}

/** Where forwards and dead letters wait for Kafka; drained before each checkpoint write. */
export interface RunnerOutbox extends Outbox {
  connect(): Promise<void>;
  /** Resolves once everything pushed so far is acknowledged. */
  drain(): Promise<void>;
  close(): Promise<void>;
}
