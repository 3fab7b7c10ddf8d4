import type { PartitionCheckpoint } from '../contracts/partition-checkpoint';
import { isRecord, stateField } from './redis-keys';

type StateWrite = PartitionCheckpoint['states'][number];

/**
 * ARGV of checkpoint.lua, in the order its header documents. Dedup buckets
 * carry no expiry: they stay as long as the partition's event-time window
 * covers them, however long nobody owns the partition, and the checkpoint
 * drops them when event time moves past them (`dedupExpireBefore`).
 */
export function checkpointArgs(cp: PartitionCheckpoint): Array<string | Buffer> {
  const args: Array<string | Buffer> = [
    String(cp.token),
    String(cp.watermark),
    String(cp.flushedAt),
    String(cp.eventsDelta),
    String(cp.dedupExpireBefore),
    String(cp.states.length),
    String(cp.deleted.length),
    String(cp.types.length),
    String(cp.dedupAdded.size),
    String(Object.keys(cp.sources).length),
    cp.checkpointId,
    String(cp.expectedWatermark),
    String(cp.clientCounts === null ? -1 : cp.clientCounts.length),
    '', // #records, set below
    '', // #runs, set below
  ];
  const stateArg = (s: StateWrite): Buffer => Buffer.from(s.bytes.buffer, s.bytes.byteOffset, s.bytes.byteLength);
  let records = 0;
  for (const s of cp.states) {
    if (!isRecord(s.client)) continue;
    args.push(stateField(s.tab, s.client), stateArg(s));
    records++;
  }
  args[13] = String(records);
  // Client states in runs of one Tab, in the order given (a checkpoint's states mostly come a Tab
  // at a time): each run's HSET tells the script how many states it created for the Tab's count.
  let runs = 0;
  let runAt = -1;
  let runTab: string | undefined;
  for (const s of cp.states) {
    if (isRecord(s.client)) continue;
    if (s.tab !== runTab) {
      if (runAt >= 0) args[runAt + 1] = String((args.length - runAt - 2) / 2);
      runTab = s.tab;
      runAt = args.length;
      args.push(s.tab, '');
      runs++;
    }
    args.push(stateField(s.tab, s.client), stateArg(s));
  }
  if (runAt >= 0) args[runAt + 1] = String((args.length - runAt - 2) / 2);
  args[14] = String(runs);
  for (const d of cp.deleted) args.push(stateField(d.tab, d.client));
  for (const t of cp.types) args.push(t.tab, t.type);
  for (const [bucketStart, ids] of cp.dedupAdded) {
    args.push(String(bucketStart), String(ids.length));
    for (const id of ids) args.push(id);
  }
  for (const [name, watermark] of Object.entries(cp.sources)) args.push(name, watermark);
  for (const c of cp.clientCounts ?? []) args.push(c.tab, String(c.clients));
  return args;
}
