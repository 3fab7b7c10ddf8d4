import type { PartitionCheckpoint } from '../contracts/partition-checkpoint';
import { isRecord, stateField } from './redis-keys';

/** Where a script's arguments go, one at a time, in order. */
export interface ScriptArgSink {
  string(s: string): void;
  integer(value: number): void;
  /** `<a>\0<b>`: a state's field (stateField). */
  joined(a: string, b: string): void;
  bytesArg(bytes: Uint8Array): void;
}

/**
 * ARGV of checkpoint.lua, in the order its header documents, into `sink`.
 * Dedup buckets carry no expiry: they stay as long as the partition's
 * event-time window covers them, however long nobody owns the partition, and
 * the checkpoint drops them when event time moves past them
 * (`dedupExpireBefore`). Client states go in runs of one Tab, in the order
 * given (a checkpoint's states mostly come a Tab at a time): each run's HSET
 * tells the script how many states it created for the Tab's count. The
 * counts come first, so a first pass finds the runs.
 */
export function writeCheckpointArgs(cp: PartitionCheckpoint, sink: ScriptArgSink): void {
  let records = 0;
  const runLengths: number[] = [];
  let runTab: string | undefined;
  for (const s of cp.states) {
    if (isRecord(s.client)) {
      records++;
      continue;
    }
    if (s.tab !== runTab) {
      runTab = s.tab;
      runLengths.push(0);
    }
    runLengths[runLengths.length - 1]!++;
  }
  sink.integer(cp.token);
  sink.integer(cp.watermark);
  sink.integer(cp.flushedAt);
  sink.integer(cp.eventsDelta);
  sink.integer(cp.dedupExpireBefore);
  sink.integer(cp.states.length);
  sink.integer(cp.deleted.length);
  sink.integer(cp.types.length);
  sink.integer(cp.dedupAdded.size);
  sink.integer(Object.keys(cp.sources).length);
  sink.string(cp.checkpointId);
  sink.integer(cp.expectedWatermark);
  sink.integer(cp.clientCounts === null ? -1 : cp.clientCounts.length);
  sink.integer(records);
  sink.integer(runLengths.length);
  for (const s of cp.states) {
    if (!isRecord(s.client)) continue;
    sink.joined(s.tab, s.client);
    sink.bytesArg(s.bytes);
  }
  let run = -1;
  runTab = undefined;
  for (const s of cp.states) {
    if (isRecord(s.client)) continue;
    if (s.tab !== runTab) {
      runTab = s.tab;
      sink.string(s.tab);
      sink.integer(runLengths[++run]!);
    }
    sink.joined(s.tab, s.client);
    sink.bytesArg(s.bytes);
  }
  for (const d of cp.deleted) sink.joined(d.tab, d.client);
  for (const t of cp.types) {
    sink.string(t.tab);
    sink.string(t.type);
  }
  for (const [bucketStart, ids] of cp.dedupAdded) {
    sink.integer(bucketStart);
    sink.integer(ids.length);
    for (const id of ids) sink.string(id);
  }
  for (const [name, watermark] of Object.entries(cp.sources)) {
    sink.string(name);
    sink.string(watermark);
  }
  for (const c of cp.clientCounts ?? []) {
    sink.string(c.tab);
    sink.integer(c.clients);
  }
}

/** The bytes checkpoint.lua's arguments take, about: to size a writer once. */
export function checkpointArgsSizeHint(cp: PartitionCheckpoint): number {
  let bytes = 256;
  for (const s of cp.states) bytes += s.bytes.byteLength + s.tab.length + s.client.length + 32;
  for (const ids of cp.dedupAdded.values()) bytes += ids.length * 48;
  return bytes + (cp.deleted.length + cp.types.length + (cp.clientCounts?.length ?? 0)) * 64;
}

/** ARGV of checkpoint.lua as an array (strings, and state bytes as Buffers over the same memory). */
export function checkpointArgs(cp: PartitionCheckpoint): Array<string | Buffer> {
  const args: Array<string | Buffer> = [];
  writeCheckpointArgs(cp, {
    string: (s) => args.push(s),
    integer: (value) => args.push(String(value)),
    joined: (a, b) => args.push(stateField(a, b)),
    bytesArg: (bytes) => args.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
  });
  return args;
}
