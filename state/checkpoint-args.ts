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

/**
 * At least the bytes checkpoint.lua's arguments take, with the script's
 * `keys` written before them (their count, then each), and the RespWriter's
 * look-ahead: a writer sized by it never grows. A growth copies the whole
 * command, a megabyte or more; at Taba's full shape, where most Tabs come
 * with one state each, an estimate that left out each run's Tab name fell
 * short at nearly every checkpoint (1.2 % of a worker's CPU in the copies).
 * Every argument is counted with a whole frame (ARG_FRAME, more than the
 * writer looks ahead for one); a string's UTF-8 bytes are at most 3 per
 * UTF-16 unit.
 */
export function checkpointArgsSizeHint(cp: PartitionCheckpoint, keys: readonly string[] = []): number {
  let bytes = ARG_FRAME;
  for (const key of keys) bytes += 3 * key.length + ARG_FRAME;
  // The header's 15 arguments, the checkpoint's id among them.
  bytes += 15 * ARG_FRAME + 3 * cp.checkpointId.length;
  // Each state may open a run: its Tab's name and the run's length first.
  for (const s of cp.states) bytes += s.bytes.byteLength + 2 * s.tab.length + s.client.length + 4 * ARG_FRAME;
  for (const ids of cp.dedupAdded.values()) {
    bytes += 2 * ARG_FRAME;
    for (const id of ids) bytes += 3 * id.length + ARG_FRAME;
  }
  for (const d of cp.deleted) bytes += d.tab.length + d.client.length + ARG_FRAME;
  for (const t of cp.types) bytes += 3 * (t.tab.length + t.type.length) + 2 * ARG_FRAME;
  for (const [name, watermark] of Object.entries(cp.sources)) bytes += 3 * (name.length + watermark.length) + 2 * ARG_FRAME;
  for (const c of cp.clientCounts ?? []) bytes += 3 * c.tab.length + 2 * ARG_FRAME;
  return bytes;
}

/** An argument's RESP frame at most: `$`, 16 digits and CRLF before its bytes, CRLF after (and an integer's up to 16 digits inside it, in place of the length's). */
const ARG_FRAME = 24;

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
