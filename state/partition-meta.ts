import type { PartitionMeta } from '../contracts/partition-checkpoint';
import { SOURCE_FIELD_PREFIX } from './redis-keys';

function intOr(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
}

/**
 * Reads the `ts:{T:p}:meta` hash; a partition never claimed reads as
 * generation -1, token -1, watermark -1. Layout v1 kept the generation as
 * `epoch` (and used it as the token): read as both.
 */
export function parsePartitionMeta(hash: Record<string, string>): PartitionMeta {
  const sources: Record<string, string> = {};
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith(SOURCE_FIELD_PREFIX)) sources[field.slice(SOURCE_FIELD_PREFIX.length)] = value;
  }
  const flushedAt = hash.flushed_at;
  const movedAt = hash.moved_at;
  return {
    generation: intOr(hash.generation ?? hash.epoch, -1),
    token: intOr(hash.token ?? hash.epoch, -1),
    watermark: intOr(hash.watermark, -1),
    events: intOr(hash.events, 0),
    flushedAt: flushedAt === undefined ? null : intOr(flushedAt, 0),
    sources,
    recordsAt: hash.records_at === undefined ? null : intOr(hash.records_at, -2),
    // Present only once an operator moved the position (`topology offsets --execute`).
    ...(movedAt === undefined
      ? {}
      : { moved: { at: intOr(movedAt, 0), from: intOr(hash.moved_from, 0), to: intOr(hash.moved_to, 0), reset: hash.moved_reset === '1' } }),
  };
}
