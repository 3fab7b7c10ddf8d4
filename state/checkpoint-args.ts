import type { PartitionCheckpoint } from '../contracts/partition-checkpoint';
import { stateField } from './redis-keys';

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
  ];
  for (const s of cp.states) {
    args.push(stateField(s.tab, s.client), Buffer.from(s.bytes.buffer, s.bytes.byteOffset, s.bytes.byteLength));
  }
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
