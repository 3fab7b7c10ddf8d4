import { describe, expect, it } from 'vitest';
import { PRUNE_MAX_PER_SECOND, PRUNE_MIN_PER_SECOND, PRUNE_SWEEP_SECONDS, prunePerSecond } from '../../bolts/prune-pace';

describe('prunePerSecond', () => {
  it('passes over every state of a task within the sweep time, between the floor and the ceiling', () => {
    expect(prunePerSecond(0)).toBe(PRUNE_MIN_PER_SECOND);
    expect(prunePerSecond(20_000)).toBe(PRUNE_MIN_PER_SECOND);
    expect(prunePerSecond(90_000)).toBe(300);
    expect(prunePerSecond(90_001) * PRUNE_SWEEP_SECONDS).toBeGreaterThanOrEqual(90_001);
    // Taba's full shape: 750,000 states a partition, at the ceiling.
    expect(prunePerSecond(750_000)).toBe(PRUNE_MAX_PER_SECOND);
  });
});
