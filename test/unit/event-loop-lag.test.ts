// The latency bench's reading of event-loop stalls: per-second maxima to the figures it reports.
import { describe, expect, it } from 'vitest';
import { describeLoopLag, lagFigures } from '../../bench/event-loop-lag-watch';

describe('event-loop lag figures', () => {
  it('takes the longest stall and counts the seconds with one of 100 ms or more', () => {
    expect(lagFigures([12.4, 100, 250.6, 99.9, 30])).toEqual({ max_ms: 251, seconds_over_100_ms: 2, seconds: 5 });
    expect(lagFigures([])).toEqual({ max_ms: Number.NaN, seconds_over_100_ms: 0, seconds: 0 });
  });

  it('says each worker’s and the bench’s in one line', () => {
    const f = { workers: [lagFigures([20, 180]), lagFigures([15])], bench: lagFigures([11, 12]) };
    expect(describeLoopLag(f)).toBe('longest event-loop stall: worker 1 180 ms (1 of 2 s ≥ 100 ms), worker 2 15 ms (0 of 1 s ≥ 100 ms), bench 12 ms (0 of 2 s ≥ 100 ms)');
  });
});
