import { describe, expect, it } from 'vitest';
import { TabPatterns, wildcardMatch } from '../../bolts/tab-pattern';

describe('Tab name patterns (the blocklist)', () => {
  it('match whole names, * standing for any run of characters', () => {
    const cases: Array<[string, string, boolean]> = [
      ['ads.clicks', 'ads.clicks', true],
      ['ads.clicks', 'ads.clicks2', false],
      ['ads.*', 'ads.clicks', true],
      ['ads.*', 'ads.', true],
      ['ads.*', 'ad.clicks', false],
      ['*.debug', 'svc.api.debug', true],
      ['*.debug', 'svc.api.debugger', false],
      ['test_*_tmp', 'test_a_b_tmp', true],
      ['test_*_tmp', 'test__tmp', true],
      ['test_*_tmp', 'test_tmp', false],
      ['*', 'anything', true],
      ['a*b*c', 'aXbYbZc', true],
      ['a*b*c', 'aXbYbZ', false],
    ];
    for (const [pattern, tab, matches] of cases) expect(wildcardMatch(pattern, tab), `${pattern} ~ ${tab}`).toBe(matches);
  });

  it('names the first pattern a Tab matches, exact names first', () => {
    const blocked = new TabPatterns(['spam.*', 'debug', '*.tmp']);
    expect(blocked.match('spam.x')).toBe('spam.*');
    expect(blocked.match('debug')).toBe('debug');
    expect(blocked.match('a.tmp')).toBe('*.tmp');
    expect(blocked.match('ok')).toBeUndefined();
    expect(() => new TabPatterns([''])).toThrow(/empty/);
  });

  it('costs at most name × pattern steps: a pattern that makes a backtracking regex explode stays fast', () => {
    const pattern = `${'*a'.repeat(30)}*b`;
    const name = 'a'.repeat(4096);
    const started = performance.now();
    expect(wildcardMatch(pattern, name)).toBe(false);
    // A backtracking matcher needs ~4096^30 steps; this one ~4096 × 62.
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
