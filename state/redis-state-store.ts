import type { ChainableCommander } from 'ioredis';
import { connectionProblem, isCluster, type RedisConnection } from './redis-client';
import { checkpointArgsSizeHint, writeCheckpointArgs } from './checkpoint-args';
import { RespWriter } from './resp-writer';
import { evalPreEncoded, PreEncodedCommand } from './pre-encoded-command';
import { movePositionArgs, type PositionMove } from './move-position-args';
import type { LoadedPartition, PartitionCheckpoint, PartitionMeta, StoredState } from '../contracts/partition-checkpoint';
import { parsePartitionMeta } from './partition-meta';
import { mapRedisError } from './redis-errors';
import {
  DEFAULT_KEY_PREFIX,
  dedupBucketKey,
  parseStateField,
  partitionCountKey,
  partitionKeys,
  RECORD_CLIENT,
  RECORD_DELTA_CLIENT,
  stateField,
  type PartitionKeys,
} from './redis-keys';
import { scanHash, scanSet } from './redis-scan';
import { scanFieldsPage, stateScript, withStateScripts, type RedisWithStateScripts } from './scripts';

export type { LoadedPartition, PartitionCheckpoint, PartitionMeta, StoredState } from '../contracts/partition-checkpoint';

export interface RedisStateStoreOptions {
  /** Key prefix of the layout (docs/redis-layout.md); default `ts`. */
  prefix?: string;
  /** COUNT hint of the HSCAN/SSCAN loops; default 1000. */
  scanCount?: number;
}

/**
 * Whether a partition's Tab records agree with its client states, from its
 * meta's `watermark` and `records_at`: every checkpoint of this version sets
 * one to the other; a writer of an older version moves the watermark on and
 * leaves `records_at` behind (its records stale until the next owner rebuilds
 * them), and data from before records has none. Queries then merge the
 * client states instead.
 */
function recordsAgree([watermark, recordsAt]: [string | null, string | null]): boolean {
  return recordsAt !== null && recordsAt === watermark;
}

/**
 * The durable half of the checkpoint protocol in Redis: one atomic, fenced
 * write per flush of an input partition (checkpoint.lua), and the reads that
 * take a partition up again or serve queries.
 *
 * Errors: FencedError (a newer claim owns the partition), StateLostError
 * (Redis lost writes), WatermarkRegressionError (bug guard), StateStoreUnavailableError (retriable), StateStoreError.
 */
export class RedisStateStore {
  private readonly redis: RedisWithStateScripts;
  private readonly prefix: string;
  private readonly scanCount: number;
  /** Per topology, the partition count last read (see readTabAcrossPartitions). */
  private readonly knownPartitions = new Map<string, number>();

  constructor(redis: RedisConnection, opts: RedisStateStoreOptions = {}) {
    this.redis = withStateScripts(redis);
    this.prefix = opts.prefix ?? DEFAULT_KEY_PREFIX;
    this.scanCount = opts.scanCount ?? 1000;
  }

  /**
   * Takes ownership of a partition under assignment `generation` and returns
   * the claim's fencing token (above `lastToken` too) and Redis's watermark,
   * where the claimer starts. FencedError when a newer generation claimed it.
   */
  async claim(topology: string, partition: number, generation: number, lastToken = 0): Promise<{ token: number; watermark: number }> {
    const keys = this.keys(topology, partition);
    const [token, watermark] = (await this.guard(topology, partition, () =>
      this.redis.tsClaim(keys.meta, String(generation), String(lastToken)),
    )) as [number, number];
    return { token: Number(token), watermark: Number(watermark) };
  }

  /**
   * Applies one checkpoint atomically, or refuses it whole: FencedError (a
   * newer claim), StateLostError (Redis lost this owner's writes). Resolves
   * false when this checkpoint id was applied already (a retried write).
   */
  async write(cp: PartitionCheckpoint): Promise<boolean> {
    const keys = this.keys(cp.topology, cp.partition);
    const scriptKeys = [keys.meta, keys.states, keys.types, keys.dedupIndex, keys.clients];
    // Encoded here, straight into one buffer (resp-writer.ts): ioredis' encoding of a checkpoint's
    // tens of thousands of arguments cost a worker more than the rest of the write.
    const argv = new RespWriter(checkpointArgsSizeHint(cp, scriptKeys));
    argv.integer(scriptKeys.length);
    for (const key of scriptKeys) argv.string(key);
    writeCheckpointArgs(cp, argv);
    const applied = await this.guard(cp.topology, cp.partition, () => evalPreEncoded(this.redis, stateScript('tsCheckpoint'), scriptKeys, argv));
    return Number(applied) === 1;
  }

  /**
   * An operator's move of a partition's position, in one atomic step
   * (move-position.lua): the watermark set to the target - 1, the token bumped
   * (fencing any straggling writer), the move recorded in the meta hash, and
   * with `resetState` the partition's states, types and dedup window deleted.
   * PositionChangedError when Redis no longer holds the watermark the plan read.
   */
  async movePosition(move: PositionMove): Promise<{ token: number; statesDeleted: number; bucketsDeleted: number }> {
    const keys = this.keys(move.topology, move.partition);
    const [token, statesDeleted, bucketsDeleted] = (await this.guard(move.topology, move.partition, () =>
      this.redis.tsMovePosition(keys.meta, keys.states, keys.types, keys.dedupIndex, keys.clients, ...movePositionArgs(move)),
    )) as [number, number, number];
    return { token: Number(token), statesDeleted: Number(statesDeleted), bucketsDeleted: Number(bucketsDeleted) };
  }

  /** The highest assignment generation that claimed any of the topology's partitions (-1: none). */
  async maxGeneration(topology: string, partitions: number): Promise<number> {
    const replies = await this.eachPartition(topology, partitions, (pipeline, keys) => pipeline.hmget(keys.meta, 'generation', 'epoch'));
    let max = -1;
    for (const reply of replies) {
      const [generation, legacy] = reply as [string | null, string | null];
      const g = Number(generation ?? legacy ?? -1);
      if (g > max) max = g;
    }
    return max;
  }

  /**
   * One command per partition of the topology in one round; the replies in
   * partition order. One pipeline on a single server; on a cluster, where a
   * pipeline must keep to one slot, one per partition, all sent at once.
   */
  private async eachPartition(
    topology: string,
    partitions: number | readonly number[],
    command: (pipeline: ChainableCommander, keys: PartitionKeys) => void,
  ): Promise<unknown[]> {
    const list = typeof partitions === 'number' ? Array.from({ length: partitions }, (_, p) => p) : partitions;
    const perPartition = isCluster(this.redis);
    const pipelines: ChainableCommander[] = [];
    for (const p of list) {
      if (perPartition || pipelines.length === 0) pipelines.push(this.redis.pipeline());
      command(pipelines[pipelines.length - 1]!, this.keys(topology, p));
    }
    const replies = await this.guard(topology, null, async () => (await Promise.all(pipelines.map(async (pipeline) => (await pipeline.exec()) ?? []))).flat());
    return replies.map(([err, reply]) => {
      if (err) throw mapRedisError(err, topology, null, connectionProblem(this.redis));
      return reply;
    });
  }

  /**
   * What taking a partition up reads: its meta (watermark, sources) and its
   * dedup window, and with `states` every stored state and Tab type too (a
   * worker leaves those out and fetches states on demand). Call it after
   * `claim`: from then on no older owner can write, so the scans see one
   * consistent checkpoint.
   */
  async load(topology: string, partition: number, opts: { states?: boolean } = {}): Promise<LoadedPartition> {
    const keys = this.keys(topology, partition);
    const withStates = opts.states ?? true;
    return this.guard(topology, partition, async () => {
      const [meta, states, types, dedup, stateCount, typeCount] = await Promise.all([
        this.readMetaOf(keys),
        withStates ? this.loadStates(keys) : [],
        withStates ? this.loadTypes(keys) : new Map<string, string>(),
        this.loadDedup(keys),
        this.redis.hlen(keys.states),
        this.redis.hlen(keys.types),
      ]);
      // Records agree with the states when the last write kept them (records_at at the watermark), or there is nothing to agree with.
      const recordsCurrent = meta.recordsAt === null ? stateCount === 0 : meta.recordsAt === meta.watermark;
      return { ...meta, states, types, dedup, recordsCurrent, nothingStored: stateCount === 0 && typeCount === 0 };
    });
  }

  /**
   * One page of a cursor walk over a partition's stored states ('0' starts
   * and ends a walk), each with its Tab's stored type: an HSCAN, then one
   * HMGET of the page's Tabs.
   */
  async scanStatesPage(
    topology: string,
    partition: number,
    cursor: string,
    count: number,
  ): Promise<{ cursor: string; states: Array<{ tab: string; client: string; type: string | null; bytes: Buffer }> }> {
    const keys = this.keys(topology, partition);
    return this.guard(topology, partition, async () => {
      const [next, flat] = await this.redis.hscanBuffer(keys.states, cursor, 'COUNT', count);
      const page: Array<{ tab: string; client: string; bytes: Buffer }> = [];
      for (let i = 0; i + 1 < flat.length; i += 2) page.push({ ...parseStateField(flat[i]!.toString('utf8')), bytes: flat[i + 1]! });
      const tabs = [...new Set(page.map((s) => s.tab))];
      const types = tabs.length === 0 ? [] : await this.redis.hmget(keys.types, ...tabs);
      const typeOf = new Map(tabs.map((tab, i) => [tab, types[i] ?? null]));
      return { cursor: next.toString(), states: page.map((s) => ({ ...s, type: typeOf.get(s.tab) ?? null })) };
    });
  }

  /**
   * The stored bytes of the given states and the stored types of the given
   * Tabs of one partition (null where none), in one pipelined round of two
   * HMGETs on keys of one hash tag.
   */
  async fetchStates(
    topology: string,
    partition: number,
    states: ReadonlyArray<{ tab: string; client: string }>,
    tabs: readonly string[],
  ): Promise<{ states: Array<Buffer | null>; types: Array<string | null> }> {
    const keys = this.keys(topology, partition);
    return this.guard(topology, partition, async () => {
      // Both sent before either reply is awaited: one round. The fields are encoded here (resp-writer.ts).
      let stateReply: Promise<unknown> = Promise.resolve([]);
      if (states.length > 0) {
        const fields = new RespWriter(states.length * 48);
        for (const s of states) fields.joined(s.tab, s.client);
        stateReply = this.redis.sendCommand(new PreEncodedCommand('hmget', [keys.states], fields.command('hmget', keys.states))) as Promise<unknown>;
      }
      const typeReply = tabs.length > 0 ? this.redis.hmget(keys.types, ...tabs) : Promise.resolve([]);
      const [found, types] = await Promise.all([stateReply, typeReply]);
      return { states: found as Array<Buffer | null>, types };
    });
  }

  /**
   * The stored record (client `*`, null where none), its delta (`*+`, null
   * where none: the record is the two merged, bolts/record-write.ts) and
   * client count (null where none) of each Tab of one partition, in the
   * order asked: one MULTI, so all come from the same checkpoint. Where the partition's
   * records do not agree with its states (see recordsAgree) every record
   * reads as null and the caller merges the client states.
   */
  async readRecords(topology: string, partition: number, tabs: readonly string[]): Promise<Array<{ record: Buffer | null; delta: Buffer | null; clients: number | null }>> {
    if (tabs.length === 0) return [];
    const keys = this.keys(topology, partition);
    return this.guard(topology, partition, async () => {
      const replies = (await this.redis
        .multi()
        .hmgetBuffer(keys.states, ...tabs.map((tab) => stateField(tab, RECORD_CLIENT)))
        .hmgetBuffer(keys.states, ...tabs.map((tab) => stateField(tab, RECORD_DELTA_CLIENT)))
        .hmget(keys.clients, ...tabs)
        .hmget(keys.meta, 'watermark', 'records_at')
        .exec()) ?? [];
      for (const [err] of replies) if (err) throw err;
      const records = replies[0]![1] as Array<Buffer | null>;
      const deltas = replies[1]![1] as Array<Buffer | null>;
      const counts = replies[2]![1] as Array<string | null>;
      const agree = recordsAgree(replies[3]![1] as [string | null, string | null]);
      return tabs.map((_, i) => ({
        record: agree ? (records[i] ?? null) : null,
        delta: agree ? (deltas[i] ?? null) : null,
        clients: counts[i] === null || counts[i] === undefined ? null : Number(counts[i]),
      }));
    });
  }

  /**
   * Everything an aggregate of one Tab across its clients reads, in one
   * round: in each partition, the Tab's type, its record and its client
   * count (those two in one MULTI, so they agree). The partition count is
   * read in the same round; the count this store saw last is the guess of
   * how many partitions to ask, and a wrong guess (a first read, a topology
   * redeployed with more partitions) costs one more round, never a wrong
   * answer. Partitions where the Tab has no type are left out; where the
   * records do not agree with the states (recordsAgree) the record reads as
   * null. A record's delta (null where none) comes with it.
   */
  async readTabAcrossPartitions(topology: string, tab: string): Promise<Array<{ partition: number; type: string; record: Buffer | null; delta: Buffer | null; clients: number | null }>> {
    const field = stateField(tab, RECORD_CLIENT);
    const deltaField = stateField(tab, RECORD_DELTA_CLIENT);
    for (;;) {
      const guess = this.knownPartitions.get(topology) ?? (await this.partitionCount(topology)) ?? 0;
      const [count, replies] = await this.guard(topology, null, async () => {
        const count = this.redis.get(partitionCountKey(this.prefix, topology));
        // One MULTI per partition: a partition's keys share a hash tag, so each runs on one node of a cluster.
        const perPartition = Array.from({ length: guess }, (_, p) => {
          const keys = this.keys(topology, p);
          return this.redis.multi().hget(keys.types, tab).hgetBuffer(keys.states, field).hgetBuffer(keys.states, deltaField).hget(keys.clients, tab).hmget(keys.meta, 'watermark', 'records_at').exec();
        });
        return Promise.all([count, Promise.all(perPartition)]);
      });
      const partitions = count === null ? 0 : Number(count);
      this.knownPartitions.set(topology, partitions);
      if (partitions !== guess) continue;
      const out: Array<{ partition: number; type: string; record: Buffer | null; delta: Buffer | null; clients: number | null }> = [];
      replies.forEach((reply, partition) => {
        for (const [err] of reply ?? []) if (err) throw mapRedisError(err, topology, partition, connectionProblem(this.redis));
        const [[, type], [, record], [, delta], [, clients], [, meta]] = reply as [
          [null, string | null],
          [null, Buffer | null],
          [null, Buffer | null],
          [null, string | null],
          [null, [string | null, string | null]],
        ];
        const agree = recordsAgree(meta);
        if (type !== null) out.push({ partition, type, record: agree ? record : null, delta: agree ? delta : null, clients: clients === null ? null : Number(clients) });
      });
      return out;
    }
  }

  /** The stored type of one Tab in each of the topology's partitions (null where it has none): one pipelined round of HGETs. */
  async typeByPartition(topology: string, partitions: number, tab: string): Promise<Array<string | null>> {
    const types = await this.eachPartition(topology, partitions, (pipeline, keys) => pipeline.hget(keys.types, tab));
    return types.map((type) => (type as string | null) ?? null);
  }

  /** The client count of each Tab of one partition (null where none is stored), in the order asked. */
  async readClientCounts(topology: string, partition: number, tabs: readonly string[]): Promise<Array<number | null>> {
    if (tabs.length === 0) return [];
    const key = this.keys(topology, partition).clients;
    const counts = await this.guard(topology, partition, () => this.redis.hmget(key, ...tabs));
    return counts.map((c) => (c === null ? null : Number(c)));
  }

  async readMeta(topology: string, partition: number): Promise<PartitionMeta> {
    return this.guard(topology, partition, () => this.readMetaOf(this.keys(topology, partition)));
  }

  /**
   * The claim token and watermark Redis holds for each of `partitions` (-1
   * where none), in one round: what an owner with nothing to write checks
   * against what it last wrote, to notice a Redis that lost its writes.
   */
  async readPositions(topology: string, partitions: readonly number[]): Promise<Array<{ token: number; watermark: number }>> {
    const replies = await this.eachPartition(topology, partitions, (pipeline, keys) => pipeline.hmget(keys.meta, 'token', 'watermark'));
    return replies.map((reply) => {
      const [token, watermark] = reply as [string | null, string | null];
      return { token: Number(token ?? -1), watermark: Number(watermark ?? -1) };
    });
  }

  /** Every partition's meta, in one round. */
  async readMetas(topology: string, partitions: number): Promise<PartitionMeta[]> {
    const hashes = await this.eachPartition(topology, partitions, (pipeline, keys) => pipeline.hgetall(keys.meta));
    return hashes.map((hash) => parsePartitionMeta(hash as Record<string, string>));
  }

  async setPartitionCount(topology: string, n: number): Promise<void> {
    await this.guard(topology, null, () => this.redis.set(partitionCountKey(this.prefix, topology), String(n)));
  }

  async partitionCount(topology: string): Promise<number | null> {
    const value = await this.guard(topology, null, () => this.redis.get(partitionCountKey(this.prefix, topology)));
    return value === null ? null : Number(value);
  }

  /**
   * The states of a partition whose (tab, client) pass `filter`, with their
   * Tab's type, for queries. Reads while writers write: each state that
   * exists throughout the scan is yielded exactly once. `types`, when the
   * caller read the partition's types already, saves reading them again.
   */
  async *scanStates(
    topology: string,
    partition: number,
    filter: (tab: string, client: string) => boolean,
    knownTypes?: ReadonlyMap<string, string>,
  ): AsyncIterable<{ tab: string; client: string; type: string; bytes: Buffer }> {
    const keys = this.keys(topology, partition);
    const types = knownTypes ?? (await this.guard(topology, partition, () => this.loadTypes(keys)));
    const seen = new Set<string>();
    const entries = scanHash(this.redis, keys.states, this.scanCount);
    while (true) {
      const next = await this.guard(topology, partition, () => entries.next());
      if (next.done) return;
      const [rawField, bytes] = next.value;
      const field = rawField.toString('utf8');
      if (seen.has(field)) continue;
      seen.add(field);
      const { tab, client } = parseStateField(field);
      if (!filter(tab, client)) continue;
      const type = types.get(tab);
      // A state without a type cannot be decoded; checkpoint.lua writes both in one step.
      if (type !== undefined) yield { tab, client, type, bytes };
    }
  }

  /**
   * A partition's Tabs and their types (its `types` hash), a page of an HSCAN
   * at a time: names and short type strings, no state. SCAN may repeat an
   * entry; callers that care dedupe.
   */
  async *scanTypes(topology: string, partition: number): AsyncIterable<Array<[tab: string, type: string]>> {
    const key = this.keys(topology, partition).types;
    let cursor = '0';
    do {
      const [next, flat] = await this.guard(topology, partition, () => this.redis.hscan(key, cursor, 'COUNT', this.scanCount));
      cursor = next;
      const page: Array<[string, string]> = [];
      for (let i = 0; i + 1 < flat.length; i += 2) page.push([flat[i]!, flat[i + 1]!]);
      yield page;
    } while (cursor !== '0');
  }

  /**
   * The names of a partition's states, `{tab, client}`, a page at a time,
   * without their bytes: HSCAN ... NOVALUES on Redis 7.4 and later, else
   * scan-fields.lua (the same HSCAN, its values dropped inside Redis). With
   * `tab`, only that Tab's states (MATCH `<tab>\0*`; Tab names hold no glob
   * character). SCAN may repeat an entry; callers that care dedupe.
   */
  async *scanStateNames(topology: string, partition: number, tab?: string): AsyncIterable<Array<{ tab: string; client: string }>> {
    const key = this.keys(topology, partition).states;
    const match = tab === undefined ? '*' : `${globEscape(tab)}\u0000*`;
    const novalues = await this.supportsNoValues();
    let cursor = '0';
    do {
      const [next, fields] = await this.guard(topology, partition, async () =>
        novalues
          ? ((await this.redis.call('HSCAN', key, cursor, 'MATCH', match, 'COUNT', String(this.scanCount), 'NOVALUES')) as [string, string[]])
          : await scanFieldsPage(this.redis, key, cursor, match, String(this.scanCount)),
      );
      cursor = String(next);
      yield fields.map((field) => parseStateField(String(field)));
    } while (cursor !== '0');
  }

  private noValues: Promise<boolean> | null = null;

  /** Whether the server has HSCAN ... NOVALUES (Redis 7.4); asked once. */
  private supportsNoValues(): Promise<boolean> {
    this.noValues ??= this.redis.info('server').then(
      (info) => {
        const [major = 0, minor = 0] = (/redis_version:(\d+)\.(\d+)/.exec(info) ?? []).slice(1).map(Number);
        return major > 7 || (major === 7 && minor >= 4);
      },
      () => {
        this.noValues = null; // ask again next time
        return false;
      },
    );
    return this.noValues;
  }

  private keys(topology: string, partition: number): PartitionKeys {
    return partitionKeys(this.prefix, topology, partition);
  }

  private async guard<T>(topology: string, partition: number | null, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw mapRedisError(err, topology, partition, connectionProblem(this.redis));
    }
  }

  private async readMetaOf(keys: PartitionKeys): Promise<PartitionMeta> {
    return parsePartitionMeta(await this.redis.hgetall(keys.meta));
  }

  private async loadStates(keys: PartitionKeys): Promise<StoredState[]> {
    const byField = new Map<string, StoredState>();
    for await (const [rawField, bytes] of scanHash(this.redis, keys.states, this.scanCount)) {
      const field = rawField.toString('utf8');
      if (!byField.has(field)) byField.set(field, { ...parseStateField(field), bytes });
    }
    return [...byField.values()];
  }

  private async loadTypes(keys: PartitionKeys): Promise<Map<string, string>> {
    const types = new Map<string, string>();
    for await (const [tab, type] of scanHash(this.redis, keys.types, this.scanCount)) {
      types.set(tab.toString('utf8'), type.toString('utf8'));
    }
    return types;
  }

  private async loadDedup(keys: PartitionKeys): Promise<Map<number, string[]>> {
    const buckets = (await this.redis.zrange(keys.dedupIndex, 0, '-1')).map(Number);
    const loaded = await Promise.all(
      buckets.map(async (bucketStart) => {
        const ids = new Set<string>();
        for await (const id of scanSet(this.redis, dedupBucketKey(keys, bucketStart), this.scanCount)) ids.add(id);
        return [bucketStart, [...ids]] as [number, string[]];
      }),
    );
    // A bucket whose key already expired holds nothing worth returning.
    return new Map(loaded.filter(([, ids]) => ids.length > 0));
  }
}

/** `name` as a glob matching itself only (Tab names hold none of these, but a query may name anything). */
function globEscape(name: string): string {
  return name.replace(/[\\*?[\]^]/g, (c) => `\\${c}`);
}
