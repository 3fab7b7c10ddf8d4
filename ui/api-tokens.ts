// Bearer tokens of `topology serve`: the tokens file (or TABSTREAM_API_TOKENS)
// parsed into named tokens, and the check of a request's Authorization header
// against them in constant time. A token is never put in an error, a log line
// or a metric: only its name is (the first word of its line).
import { createHash, timingSafeEqual } from 'node:crypto';

/** One token: its name (for logs and metrics) and the SHA-256 of the token itself. */
export interface ApiToken {
  name: string;
  digest: Buffer;
}

/**
 * Names end up as metric labels and log fields: kept plain, and short, so a
 * line written the wrong way round (token first) is refused rather than its
 * token becoming a label (a generated token is longer).
 */
const NAME = /^[A-Za-z0-9_.:@-]{1,32}$/;
/** RFC 6750's b64token, what an Authorization: Bearer header can carry. */
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** Shorter tokens are refused: guessable, and a typo'd half-token should not pass as one. */
export const MIN_TOKEN_LENGTH = 16;

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Tokens from `text`, one `<name> <token>` per entry; entries are lines (and,
 * with `commas`, also comma-separated, as TABSTREAM_API_TOKENS takes them).
 * Blank entries and those starting with `#` are skipped. `source` names where
 * they came from in errors ("tokens file /etc/x line 3"), which quote nothing of
 * the entry: not the token, nor the name (it may be a token, written first).
 */
export function parseTokens(text: string, source: string, { commas = false } = {}): ApiToken[] {
  const tokens: ApiToken[] = [];
  /** Each token's digest (hex) and where it was, to name a duplicate. */
  const seen = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const entries = commas ? line.split(',') : [line];
    entries.forEach((raw, j) => {
      const entry = raw.trim();
      if (entry === '' || entry.startsWith('#')) return;
      const where = entries.length > 1 ? `${source} line ${i + 1} entry ${j + 1}` : `${source} line ${i + 1}`;
      const words = entry.split(/\s+/);
      if (words.length !== 2) throw new Error(`${where}: expected '<name> <token>', got ${words.length} word${words.length === 1 ? '' : 's'}`);
      const [name, token] = words as [string, string];
      if (!NAME.test(name)) throw new Error(`${where}: the name (first word) must be 1..32 chars of [A-Za-z0-9_.:@-]`);
      if (!TOKEN.test(token)) throw new Error(`${where}: the token has characters a Bearer token cannot carry (letters, digits and -._~+/, then = only)`);
      if (token.length < MIN_TOKEN_LENGTH) throw new Error(`${where}: the token is shorter than ${MIN_TOKEN_LENGTH} characters (make one with: openssl rand -hex 32)`);
      const digest = sha256(token);
      const key = digest.toString('hex');
      const twin = seen.get(key);
      if (twin !== undefined) throw new Error(`${where}: the same token as ${twin}`);
      seen.set(key, where.slice(source.length + 1));
      tokens.push({ name, digest });
    });
  });
  return tokens;
}

/** What the check of one request found: who it is, or why it is refused. */
export type AuthResult = { ok: true; name: string } | { ok: false; reason: 'missing' | 'wrong' };

/**
 * The Authorization header of a request against `tokens`. The presented token
 * is hashed, and its digest compared with every token's digest with
 * crypto.timingSafeEqual, all of them whatever matches: the time taken says
 * nothing of how much of a token was right, nor which one matched.
 */
export function checkBearer(tokens: readonly ApiToken[], header: string | undefined): AuthResult {
  const m = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
  if (m === null) return { ok: false, reason: 'missing' };
  const presented = sha256(m[1]!);
  let match: string | null = null;
  for (const token of tokens) {
    if (timingSafeEqual(presented, token.digest) && match === null) match = token.name;
  }
  return match === null ? { ok: false, reason: 'wrong' } : { ok: true, name: match };
}
