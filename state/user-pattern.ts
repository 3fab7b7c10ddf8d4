// The patterns users give queries (Tab and client filters of `topology query`,
// the HTTP API and the dashboard), compiled for a linear-time engine: RE2's
// syntax and guarantee, in re2js (a pure-JavaScript port of RE2). JavaScript's
// own RegExp backtracks: `(a+)+$` over `aaaa…a-1` takes 2^n steps, so one
// request could hold `serve` at 100 % CPU for minutes. RE2 matches any
// pattern against a name in time linear in the name (times the pattern's
// size, which is bounded below).
import { RE2JS } from 're2js';

/** Longest pattern accepted, in characters: the engine's work per name grows with the pattern's size. */
export const MAX_PATTERN_LENGTH = 1000;

/** A user's pattern that cannot be run; the message says why, in one line. */
export class PatternError extends Error {
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`bad pattern '${pattern}': ${reason}`);
  }
}

/** A compiled pattern, anchored at both ends: it matches whole names. */
export interface NamePattern {
  readonly source: string;
  /** True when the whole name matches. */
  test(name: string): boolean;
  /** The one name it matches, when it is a plain name (no operator): lets a scan ask Redis for that name only. */
  readonly literal: string | null;
  /** True for `.*` (every name): no matching needed. */
  readonly matchesAll: boolean;
}

/** Characters with a meaning in the syntax; a pattern without any is a plain name. */
const OPERATORS = /[\\^$.|?*+()[\]{}]/;

/** ASCII punctuation: escaped with a backslash, RE2 takes each for itself. */
const PUNCTUATION = /[!-/:-@[-`{-~]/;

/**
 * The one name a pattern matches when it has no operator but escaped ones:
 * `bids` or `counter\.123` (a Tab name with its dots escaped, as a client
 * asks for exactly one Tab), else null. Such a pattern is looked up by name
 * instead of matched against every name.
 */
function literalOf(pattern: string): string | null {
  let name = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined || !PUNCTUATION.test(next)) return null;
      name += next;
      i++;
    } else if (OPERATORS.test(c)) {
      return null;
    } else {
      name += c;
    }
  }
  return name;
}

const EVERY_OPERATOR = new RegExp(OPERATORS.source, 'g');

/** A pattern that matches exactly `name` (its operators escaped): how the dashboard and clients ask for one Tab. */
export function exactName(name: string): string {
  return name.replace(EVERY_OPERATOR, (c) => `\\${c}`);
}

/**
 * Compiles a user's pattern (anchored at both ends, as every query pattern
 * is) or throws PatternError with the reason. RE2 refuses what it cannot run
 * in linear time: backreferences (`\1`), lookahead and lookbehind
 * (`(?=`, `(?!`, `(?<=`, `(?<!`), possessive quantifiers (`a++`), and
 * repetitions over 1000 (`a{1001}`, nested ones multiplying past it).
 */
export function compilePattern(pattern: string): NamePattern {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new PatternError(abbreviate(pattern), `longer than ${MAX_PATTERN_LENGTH} characters (${pattern.length})`);
  const unsupported = unsupportedSyntax(pattern);
  if (unsupported !== null) throw new PatternError(pattern, unsupported);
  if (pattern === '.*') return { source: pattern, test: () => true, literal: null, matchesAll: true };
  const literal = literalOf(pattern);
  if (literal !== null) return { source: pattern, test: (name) => name === literal, literal, matchesAll: false };
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    throw new PatternError(pattern, (err as Error).message.replace(/^error parsing regexp: /, ''));
  }
  // RE2JS.matches is a whole-input match: the pattern is anchored at both ends.
  return { source: pattern, test: (name) => re.matches(name), literal: null, matchesAll: false };
}

/** What RE2 does not run, named as users know it (RE2's own message would say `invalid escape sequence`). */
function unsupportedSyntax(pattern: string): string | null {
  if (/(^|[^\\])(\\\\)*\\[1-9]/.test(pattern)) return 'backreferences (\\1 ... \\9) are not supported: patterns run on RE2, a linear-time engine';
  if (/\(\?<?[=!]/.test(pattern)) return 'lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not supported: patterns run on RE2, a linear-time engine';
  return null;
}

function abbreviate(pattern: string): string {
  return pattern.length > 40 ? `${pattern.slice(0, 40)}…` : pattern;
}
