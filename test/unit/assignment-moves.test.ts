import { describe, expect, it } from 'vitest';
import { assignmentMoves, renderRebalance } from '../../topology/coordination/assignment-moves';
import type { Assignment } from '../../topology/coordination/assignment-store';
import type { PartitionOwners } from '../../topology/coordination/sticky-assignment';

const assignment = (generation: number, partitions: PartitionOwners): Assignment => ({ generation, partitions, leader: 'w-a', updatedAt: 0 });

describe('assignmentMoves', () => {
  it('lists the partitions whose owner changed, gained or lost, in order', () => {
    expect(assignmentMoves({ 0: 'a', 1: 'a', 2: 'a', 3: 'b' }, { 0: 'a', 1: 'c', 2: 'b', 3: 'b' })).toEqual([
      { partition: 1, from: 'a', to: 'c' },
      { partition: 2, from: 'a', to: 'b' },
    ]);
    expect(assignmentMoves({ 10: 'a' }, { 2: 'b', 10: 'a' })).toEqual([{ partition: 2, from: null, to: 'b' }]);
    expect(assignmentMoves({ 0: 'a', 1: 'b' }, {})).toEqual([
      { partition: 0, from: 'a', to: null },
      { partition: 1, from: 'b', to: null },
    ]);
    expect(assignmentMoves({ 0: 'a' }, { 0: 'a' })).toEqual([]);
  });
});

describe('renderRebalance', () => {
  it('says which partitions moved from which worker to which', () => {
    expect(renderRebalance('taba', assignment(12, { 0: 'w-a', 1: 'w-a', 2: 'w-a', 3: 'w-b' }), assignment(13, { 0: 'w-a', 1: 'w-c', 2: 'w-b', 3: 'w-b' }), 4)).toEqual([
      'rebalance of taba: generation 12 -> 13, 2 of 4 partitions moved',
      'partition 1: w-a -> w-c',
      'partition 2: w-a -> w-b',
    ]);
    expect(renderRebalance('taba', null, assignment(1, { 0: 'w-a' }), 1)).toEqual(['rebalance of taba: generation - -> 1, 1 of 1 partition moved', 'partition 0: - -> w-a']);
  });

  it('says when none moved', () => {
    expect(renderRebalance('taba', assignment(4, { 0: 'w-a' }), assignment(5, { 0: 'w-a' }), 1)).toEqual([
      'rebalance of taba: generation 4 -> 5, no partition moved (each owner re-claims its partitions under generation 5)',
    ]);
  });
});
