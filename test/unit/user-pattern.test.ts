import { describe, expect, it } from 'vitest';
import { RE2JS } from 're2js';
import { compilePattern, exactName, MAX_PATTERN_LENGTH, PatternError } from '../../state/user-pattern';

describe('user patterns (query filters): RE2 syntax, anchored, linear time', () => {
  it('match whole names, with the syntax users have', () => {
    const cases: Array<[string, string, boolean]> = [
      ['winning_.*', 'winning_bids', true],
      ['winning', 'winning_bids', false],
      ['bids|wins', 'wins', true],
      ['bids|wins', 'bidswins', false],
      ['bidder-[12]', 'bidder-2', true],
      ['bidder-[12]', 'bidder-3', false],
      ['page_views:.*', 'page_views:/home', true],
      ['\\d+', '123', true],
      ['(?i)BIDS', 'bids', true],
      ['a.c', 'a\nc', false],
      ['.*', '', true],
      ['bids', 'bids', true],
      ['bids', 'bids2', false],
      ['__proto__', '__proto__', true],
    ];
    for (const [pattern, name, matches] of cases) expect(compilePattern(pattern).test(name), `${pattern} ~ ${JSON.stringify(name)}`).toBe(matches);
    expect(compilePattern('bids').literal).toBe('bids');
    expect(compilePattern('bids.*').literal).toBeNull();
    expect(compilePattern('.*').matchesAll).toBe(true);
  });

  it('refuse what RE2 cannot run in linear time, or cannot parse, with the reason in one line', () => {
    const refusals: Array<[string, RegExp]> = [
      ['(a)\\1', /^bad pattern '\(a\)\\1': backreferences \(\\1 \.\.\. \\9\) are not supported: patterns run on RE2/],
      ['(?=a)a', /lookahead and lookbehind .* are not supported/],
      ['(?!a).*', /lookahead and lookbehind/],
      ['(?<=a)b', /lookahead and lookbehind/],
      ['(?<!a)b', /lookahead and lookbehind/],
      ['a++', /^bad pattern 'a\+\+': invalid nested repetition operator/],
      ['a{1001}', /invalid repeat count/],
      ['((a{100}){100}){100}', /invalid repeat count/],
      ['(', /^bad pattern '\(': missing closing \)/],
      ['[', /missing closing \]/],
      ['\\u0041', /invalid escape sequence/],
      ['a'.repeat(MAX_PATTERN_LENGTH + 1), new RegExp(`longer than ${MAX_PATTERN_LENGTH} characters`)],
    ];
    for (const [pattern, reason] of refusals) {
      let error: unknown;
      try {
        compilePattern(pattern);
      } catch (err) {
        error = err;
      }
      expect(error, pattern).toBeInstanceOf(PatternError);
      expect((error as Error).message, pattern).toMatch(reason);
      expect((error as Error).message, pattern).not.toContain('\n');
    }
    // An escaped backslash before a digit is a literal backslash and digit, not a backreference.
    expect(compilePattern('a\\\\1').test('a\\1')).toBe(true);
  });

  it('answer in linear time on patterns that make a backtracking engine explode', () => {
    const names = Array.from({ length: 2000 }, (_, i) => `${'a'.repeat(120)}-${i}`);
    for (const pattern of ['(a+)+$', '(x+x+)+y', '(a|aa)+$', '(.*a){20}', '(a*)*b', '(a|a?)+$', '([a-z]+)*-x']) {
      const re = compilePattern(pattern);
      const started = performance.now();
      for (const name of names) expect(re.test(name), pattern).toBe(false);
      // JavaScript's RegExp takes ~2^120 steps on one such name; RE2 takes ~120 x pattern size. Generous for a loaded machine.
      expect(performance.now() - started, pattern).toBeLessThan(3000);
    }
    expect(compilePattern('(a+)+-7').test(`${'a'.repeat(120)}-7`)).toBe(true);
  });

  it('take a name with its operators escaped as that one name, looked up instead of matched, agreeing with RE2', () => {
    const names = ['counter.123', 'counterx123', 'counter\\123', 'a-b:c/d_e.f', 'a-b:c/d_eXf', 'x+y', 'xxy', '(a)', 'a'];
    for (const name of ['counter.123', 'a-b:c/d_e.f', 'x+y', '(a)', 'bids']) {
      const pattern = compilePattern(exactName(name));
      expect(pattern.literal, exactName(name)).toBe(name);
      const re2 = RE2JS.compile(exactName(name));
      for (const other of names) expect(pattern.test(other), `${exactName(name)} on ${other}`).toBe(re2.matches(other));
    }
    // Escapes RE2 reads as classes or assertions are operators: not one name.
    for (const pattern of ['counter\\d', 'a\\b', 'counter.123', 'x\\.y+']) expect(compilePattern(pattern).literal, pattern).toBeNull();
    expect(compilePattern('bidder\\-1').literal).toBe('bidder-1');
  });
});
