import type { PartitionCheckpoint } from './partition-checkpoint';

/** The part of a partition checkpoint that bolts contribute (the runtime adds offsets and epoch). */
export type CheckpointDraft = Pick<
  PartitionCheckpoint,
  'states' | 'deleted' | 'types' | 'dedupAdded' | 'dedupExpireBefore' | 'eventsDelta' | 'clientCounts'
>;

export function emptyDraft(): CheckpointDraft {
  return {
    states: [],
    deleted: [],
    types: [],
    dedupAdded: new Map(),
    dedupExpireBefore: 0,
    eventsDelta: 0,
    clientCounts: null,
  };
}

export function draftIsEmpty(d: CheckpointDraft): boolean {
  return d.states.length === 0 && d.deleted.length === 0 && d.types.length === 0 && d.dedupAdded.size === 0 && d.eventsDelta === 0 && d.clientCounts === null;
}
