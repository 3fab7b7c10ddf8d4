import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { boundedJson } from '../../bolts/bounded-json';

describe('boundedJson', () => {
  it('is JSON.stringify when the budget holds the whole text, and a prefix of it otherwise', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 200 }), (value, budget) => {
        const whole = JSON.stringify(value);
        expect(boundedJson(value, 1_000_000)).toEqual({ text: whole, complete: true });
        const cut = boundedJson(value, budget);
        expect(cut.text.length).toBeLessThanOrEqual(Math.max(budget, whole.length));
        if (cut.complete) expect(cut.text).toBe(whole);
        else expect(whole.startsWith(cut.text)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('renders any nesting depth without recursion', () => {
    const depth = 1_000_000;
    let deep: unknown = 1;
    for (let i = 0; i < depth; i++) deep = i % 2 === 0 ? [deep] : { a: deep };
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    const { text, complete } = boundedJson(deep, 100);
    expect(complete).toBe(false);
    expect(text).toHaveLength(100);
    expect(boundedJson(deep, 10_000_000).complete).toBe(true);
  });

  it('writes what JSON.stringify writes for values JSON has no literal for', () => {
    const odd = [undefined, () => 1, Number.NaN, -Infinity, { a: undefined, b: () => 1, c: 1 }];
    expect(boundedJson(odd, 1000).text).toBe(JSON.stringify(odd));
    expect(boundedJson(undefined, 10).text).toBe('undefined');
  });
});
