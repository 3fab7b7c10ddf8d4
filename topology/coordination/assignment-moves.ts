import type { Assignment } from './assignment-store';
import type { PartitionOwners } from './sticky-assignment';

/** A partition whose owner changed between two assignments; null: no owner. */
export interface PartitionMove {
  partition: number;
  from: string | null;
  to: string | null;
}

/** The partitions whose owner differs between `before` and `after`, in partition order. */
export function assignmentMoves(before: PartitionOwners, after: PartitionOwners): PartitionMove[] {
  const partitions = new Set([...Object.keys(before), ...Object.keys(after)].map(Number));
  return [...partitions]
    .sort((a, b) => a - b)
    .map((partition) => ({ partition, from: before[partition] ?? null, to: after[partition] ?? null }))
    .filter((m) => m.from !== m.to);
}

/**
 * What `topology rebalance` prints: the new generation, then a line per
 * partition that moved (`-`: no owner), or that none did (the owners then
 * re-claim theirs under the new generation: new fencing tokens, new readers).
 */
export function renderRebalance(name: string, before: Assignment | null, after: Assignment, partitions: number): string[] {
  const moves = assignmentMoves(before?.partitions ?? {}, after.partitions);
  const head = `rebalance of ${name}: generation ${before?.generation ?? '-'} -> ${after.generation}`;
  if (moves.length === 0) return [`${head}, no partition moved (each owner re-claims its partitions under generation ${after.generation})`];
  return [
    `${head}, ${moves.length} of ${partitions} partition${partitions === 1 ? '' : 's'} moved`,
    ...moves.map((m) => `partition ${m.partition}: ${m.from ?? '-'} -> ${m.to ?? '-'}`),
  ];
}
