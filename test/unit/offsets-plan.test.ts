import { describe, expect, it } from 'vitest';
import { moveApplies, planMove, planMoves, planRefusal, type PartitionPosition } from '../../topology/deploy/offsets-plan';

// Partition 0 read up to 100 of [0, 150); 1 read everything of [20, 80); 2 stands below
// its earliest offset (retention deleted records it never read), 3 never read anything.
const positions: PartitionPosition[] = [
  { partition: 0, position: 100, earliest: 0, end: 150 },
  { partition: 1, position: 80, earliest: 20, end: 80 },
  { partition: 2, position: 5, earliest: 40, end: 90 },
  { partition: 3, position: 0, earliest: 0, end: 0 },
];

const ctx = { topology: 't', partitionCount: 4, repartitionTopics: [] as string[], resetState: false };

describe('planMoves', () => {
  it('moves to the latest offsets: skips what was not read, counting only records Kafka holds', () => {
    const moves = planMoves(positions, { kind: 'latest' }, { resetState: false });
    expect(moves.map((m) => [m.partition, m.from, m.to, m.kind, m.skipped, m.replayed])).toEqual([
      [0, 100, 150, 'skip', 50, 0],
      [1, 80, 80, 'none', 0, 0],
      // 5..40 were deleted by retention: only 40..90 are skipped records.
      [2, 5, 90, 'skip', 50, 0],
      [3, 0, 0, 'none', 0, 0],
    ]);
    expect(moves.every((m) => m.clamped === null)).toBe(true);
    expect(moves.map(moveApplies)).toEqual([true, false, true, false]);
    expect(planRefusal(moves, ctx)).toBeNull();
  });

  it('moves to the earliest offsets: a rewind replays what was folded and Kafka still holds', () => {
    const moves = planMoves(positions, { kind: 'earliest' }, { resetState: true });
    expect(moves.map((m) => [m.partition, m.to, m.kind, m.skipped, m.replayed, m.resetState])).toEqual([
      [0, 0, 'rewind', 0, 100, true],
      [1, 20, 'rewind', 0, 60, true],
      [2, 40, 'skip', 0, 0, true],
      [3, 0, 'none', 0, 0, true],
    ]);
    // A reset applies even where the position stays.
    expect(moves.every(moveApplies)).toBe(true);
  });

  it('clamps an absolute offset to [earliest, end] and says which bound', () => {
    const moves = planMoves(positions, { kind: 'offset', offset: 60 }, { resetState: false });
    expect(moves.map((m) => [m.partition, m.requested, m.to, m.clamped])).toEqual([
      [0, 60, 60, null],
      [1, 60, 60, null],
      [2, 60, 60, null],
      [3, 60, 0, 'end'],
    ]);
    expect(planMove(positions[1]!, { kind: 'offset', offset: 3 }, false)).toMatchObject({ requested: 3, to: 20, clamped: 'earliest', replayed: 60 });
  });

  it('shifts from each position, clamped', () => {
    const moves = planMoves(positions, { kind: 'shift', by: -30 }, { resetState: true, partitions: [0, 1] });
    expect(moves.map((m) => [m.partition, m.requested, m.to, m.clamped, m.replayed])).toEqual([
      [0, 70, 70, null, 30],
      [1, 50, 50, null, 30],
    ]);
    const forward = planMove(positions[0]!, { kind: 'shift', by: 500 }, false);
    expect(forward).toMatchObject({ requested: 600, to: 150, clamped: 'end', kind: 'skip', skipped: 50 });
  });

  it("moves to a time by Kafka's offsets for it, the end where it has none", () => {
    const moves = planMoves(positions, { kind: 'time', time: 1, offsets: new Map([[0, 120], [1, 30]]) }, { resetState: false, partitions: [0, 2] });
    expect(moves.map((m) => [m.partition, m.to, m.kind, m.skipped])).toEqual([
      [0, 120, 'skip', 20],
      [2, 90, 'skip', 50],
    ]);
  });

  it('keeps only the chosen partitions, in order', () => {
    expect(planMoves(positions, { kind: 'latest' }, { resetState: false, partitions: [3, 1] }).map((m) => m.partition)).toEqual([1, 3]);
  });
});

describe('planRefusal', () => {
  it('refuses a rewind without --reset-state, naming the partitions and the records counted twice', () => {
    const moves = planMoves(positions, { kind: 'earliest' }, { resetState: false });
    const refusal = planRefusal(moves, ctx);
    expect(refusal).toContain('rewinding partitions 0 (100 -> 0), 1 (80 -> 20) of t would fold 160 records again');
    expect(refusal).toContain('--reset-state');
    expect(planRefusal(planMoves(positions, { kind: 'earliest' }, { resetState: true }), { ...ctx, resetState: true })).toBeNull();
  });

  it('with repartition topics, lets a skip through and refuses a reset of some partitions only', () => {
    const repartition = { ...ctx, repartitionTopics: ['t.fold.repartition'] };
    const skip = planMoves(positions, { kind: 'latest' }, { resetState: false });
    expect(planRefusal(skip, repartition)).toBeNull();
    const rewind = planMoves(positions, { kind: 'earliest' }, { resetState: false });
    expect(planRefusal(rewind, repartition)).toContain("add --reset-state to delete every partition's states");
    const some = planMoves(positions, { kind: 'latest' }, { resetState: true, partitions: [0, 1] });
    expect(planRefusal(some, { ...repartition, resetState: true })).toContain('must cover all 4 partitions (drop --partitions; 2,3 left out)');
    const all = planMoves(positions, { kind: 'earliest' }, { resetState: true, partitions: [0, 1, 2, 3] });
    expect(planRefusal(all, { ...repartition, resetState: true })).toBeNull();
  });
});
