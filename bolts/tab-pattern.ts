/**
 * Tab name patterns (the blocklist): `*` matches any run of characters,
 * every other character itself. Matching is the classic greedy wildcard walk
 * with one backtrack point, O(name × pattern) at worst whatever the pattern:
 * no regular expression, so no pattern can make a match cost more.
 */
export class TabPatterns {
  private readonly exact = new Set<string>();
  private readonly wild: string[] = [];

  constructor(readonly patterns: readonly string[]) {
    for (const p of patterns) {
      if (p.length === 0) throw new TypeError('a Tab pattern must not be empty');
      if (p.includes('*')) this.wild.push(p);
      else this.exact.add(p);
    }
  }

  get size(): number {
    return this.patterns.length;
  }

  /** The first pattern `tab` matches, or undefined. */
  match(tab: string): string | undefined {
    if (this.exact.has(tab)) return tab;
    for (const p of this.wild) if (wildcardMatch(p, tab)) return p;
    return undefined;
  }
}

export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  // Where the last `*` was, and where in the text it started matching: the one backtrack point.
  let star = -1;
  let from = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      from = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++from;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
