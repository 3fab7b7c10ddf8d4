import { describe, expect, it } from 'vitest';
import { WorkPace } from '../../bolts/work-pace';

describe('WorkPace', () => {
  it('gives one second’s worth at first, then what the elapsed time earned', () => {
    const pace = new WorkPace(5000);
    expect(pace.take(0)).toBe(5000);
    expect(pace.take(100)).toBe(500);
    expect(pace.take(100)).toBe(0);
    expect(pace.take(350)).toBe(1250);
  });

  it('does the same work a second whether asked every 100 ms or every second', () => {
    const often = new WorkPace(5000);
    const seldom = new WorkPace(5000);
    let a = 0;
    let b = 0;
    for (let t = 0; t <= 10_000; t += 100) a += often.take(t);
    for (let t = 0; t <= 10_000; t += 1000) b += seldom.take(t);
    expect(a).toBe(b);
    expect(a).toBe(5000 * 11);
  });

  it('keeps fractions for later, and never hands out more than one second’s worth after a pause', () => {
    const pace = new WorkPace(1);
    expect(pace.take(0)).toBe(1);
    const laps = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000].map((t) => pace.take(t));
    expect(laps.filter((n) => n === 1)).toHaveLength(1);
    expect(laps.at(-1)).toBe(1);
    expect(pace.take(60_000)).toBe(1);
    expect(pace.take(60_000)).toBe(0);
  });

  it('earns at the rate given to each take, within one second of that rate', () => {
    const pace = new WorkPace(2000);
    // The first take: one second at the rate asked, not the constructor's.
    expect(pace.take(0, 100)).toBe(100);
    expect(pace.take(1000, 100)).toBe(100);
    expect(pace.take(1500, 400)).toBe(200);
    // After a pause, one second's worth at the rate now.
    expect(pace.take(60_000, 300)).toBe(300);
  });
});
