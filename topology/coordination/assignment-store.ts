import type { ZkClient } from './zk-client';
import type { PartitionOwners } from './sticky-assignment';

/** What the leader writes at `assignments/<topology>`. */
export interface Assignment {
  /** Bumped on every change; it is each partition's ownership epoch (fencing) in Redis. */
  generation: number;
  partitions: PartitionOwners;
  /** The leader that wrote it. */
  leader: string;
  updatedAt: number;
  /** The spec version it was computed for: a redeploy gets a new generation even with the same owners. */
  specVersion?: number;
}

const path = (topology: string): string => `assignments/${topology}`;

export async function readAssignment(zk: ZkClient, topology: string): Promise<{ assignment: Assignment; version: number } | null> {
  const node = await zk.get(path(topology));
  if (node === null || node.data === null || node.data.length === 0) return null;
  return { assignment: JSON.parse(node.data.toString('utf8')) as Assignment, version: node.version };
}

/**
 * Writes a new generation if the owners changed (or `force`), with a
 * conditional set on the version read, so two leaders racing cannot both win.
 * A new generation is at least `firstGeneration` (the spec's: above every
 * generation Redis saw for this name). Returns the assignment in force afterwards.
 */
export async function writeAssignment(
  zk: ZkClient,
  topology: string,
  owners: PartitionOwners,
  leader: string,
  force = false,
  specVersion?: number,
  firstGeneration = 1,
): Promise<Assignment> {
  const current = await readAssignment(zk, topology);
  const sameSpec = current?.assignment.specVersion === specVersion;
  if (current !== null && !force && sameSpec && sameOwners(current.assignment.partitions, owners)) return current.assignment;
  const next: Assignment = {
    generation: Math.max((current?.assignment.generation ?? 0) + 1, firstGeneration),
    partitions: owners,
    leader,
    updatedAt: Date.now(),
    specVersion,
  };
  const data = Buffer.from(JSON.stringify(next));
  if (current === null) await zk.create(path(topology), data);
  else await zk.set(path(topology), data, current.version);
  return next;
}

export function partitionsOf(assignment: Assignment, worker: string): number[] {
  return Object.entries(assignment.partitions)
    .filter(([, w]) => w === worker)
    .map(([p]) => Number(p))
    .sort((a, b) => a - b);
}

function sameOwners(a: PartitionOwners, b: PartitionOwners): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[Number(k)] === b[Number(k)]);
}
