/** Partition index -> worker id. */
export type PartitionOwners = Record<number, string>;

export interface WorkerSlot {
  id: string;
  /** The most partitions (of one topology) this worker takes; Infinity when unbounded. */
  capacity: number;
}

/**
 * A balanced assignment that moves as few partitions as it can: every
 * partition whose owner is still alive and within its fair share stays put;
 * only orphans and the excess of overloaded workers move, to the least
 * loaded workers. Deterministic (ties broken by worker id), so any leader
 * computes the same answer. Partitions no worker has room for stay unowned.
 */
export function stickyAssignment(partitions: number, workers: WorkerSlot[], previous: PartitionOwners = {}): PartitionOwners {
  const sorted = [...workers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (sorted.length === 0) return {};
  const quota = fairShares(partitions, sorted);
  const load = new Map(sorted.map((w) => [w.id, 0]));
  const owners: PartitionOwners = {};
  const orphans: number[] = [];
  for (let p = 0; p < partitions; p++) {
    const owner = previous[p];
    if (owner !== undefined && load.has(owner) && load.get(owner)! < quota.get(owner)!) {
      owners[p] = owner;
      load.set(owner, load.get(owner)! + 1);
    } else {
      orphans.push(p);
    }
  }
  for (const p of orphans) {
    let best: string | undefined;
    for (const w of sorted) {
      const l = load.get(w.id)!;
      if (l >= quota.get(w.id)!) continue;
      if (best === undefined || l < load.get(best)!) best = w.id;
    }
    if (best === undefined) continue;
    owners[p] = best;
    load.set(best, load.get(best)! + 1);
  }
  return owners;
}

/** Each worker's share: as even as capacities allow, the remainder to the first workers by id. */
function fairShares(partitions: number, workers: WorkerSlot[]): Map<string, number> {
  const shares = new Map(workers.map((w) => [w.id, 0]));
  let left = partitions;
  // Hand out one round at a time so small capacities fill and the rest share what remains.
  while (left > 0) {
    let gave = false;
    for (const w of workers) {
      if (left === 0) break;
      if (shares.get(w.id)! < w.capacity) {
        shares.set(w.id, shares.get(w.id)! + 1);
        left--;
        gave = true;
      }
    }
    if (!gave) break;
  }
  return shares;
}

/** How many partitions change owner between two assignments. */
export function movesBetween(a: PartitionOwners, b: PartitionOwners): number {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  let moves = 0;
  for (const k of keys) if (a[Number(k)] !== b[Number(k)]) moves++;
  return moves;
}
