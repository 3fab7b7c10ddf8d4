// The tokens file of `topology serve` and the check of a request's bearer token.
import { describe, expect, it } from 'vitest';
import { checkBearer, parseTokens } from '../../ui/api-tokens';

const GRAFANA = '0123456789abcdef0123456789abcdef';
const CI = 'Zm9vYmFyYmF6cXV4cXV1eA==';

describe('parseTokens', () => {
  it('reads `<name> <token>` lines, skipping comments and blank lines', () => {
    const tokens = parseTokens(`# who may read the API\n\ngrafana ${GRAFANA}\n   # indented comment\nci\t${CI}  \r\n`, 'tokens file t');
    expect(tokens.map((t) => t.name)).toEqual(['grafana', 'ci']);
    // Only digests are kept: nothing of the token itself.
    expect(JSON.stringify(tokens)).not.toContain(GRAFANA);
    expect(tokens.every((t) => t.digest.length === 32)).toBe(true);
  });

  it('takes commas between entries too, as TABSTREAM_API_TOKENS does', () => {
    expect(parseTokens(`grafana ${GRAFANA}, ci ${CI},`, 'TABSTREAM_API_TOKENS', { commas: true }).map((t) => t.name)).toEqual(['grafana', 'ci']);
    expect(parseTokens(`grafana ${GRAFANA}\nci ${CI}`, 'TABSTREAM_API_TOKENS', { commas: true })).toHaveLength(2);
    expect(parseTokens('# none yet\n', 'f')).toEqual([]);
  });

  it('refuses a bad line with where it is, quoting nothing of it (it may hold a token)', () => {
    const cases: Array<[string, RegExp]> = [
      [`grafana`, /^f line 1: expected '<name> <token>', got 1 word$/],
      [`grafana ${GRAFANA} extra`, /^f line 1: expected '<name> <token>', got 3 words$/],
      [`# c\ngra/fana ${GRAFANA}`, /^f line 2: the name \(first word\) must be 1\.\.32 chars/],
      // Written the wrong way round: a generated token is too long to be a name.
      [`${GRAFANA}${GRAFANA} grafana-dashboard`, /^f line 1: the name \(first word\) must be/],
      [`grafana ${GRAFANA.slice(0, 15)}`, /^f line 1: the token is shorter than 16 characters/],
      [`grafana ${GRAFANA}"x`, /^f line 1: the token has characters a Bearer token cannot carry/],
      [`grafana ${GRAFANA}\nagain ${GRAFANA}`, /^f line 2: the same token as line 1$/],
    ];
    for (const [text, message] of cases) {
      let error: Error | undefined;
      try {
        parseTokens(text, 'f');
      } catch (err) {
        error = err as Error;
      }
      expect(error?.message, text).toMatch(message);
      expect(error!.message).not.toContain(GRAFANA.slice(0, 15));
      expect(error!.message).not.toContain('grafana');
    }
    expect(() => parseTokens(`a ${GRAFANA},b`, 'TABSTREAM_API_TOKENS', { commas: true })).toThrow(/^TABSTREAM_API_TOKENS line 1 entry 2: expected/);
  });
});

describe('checkBearer', () => {
  const tokens = parseTokens(`grafana ${GRAFANA}\nci ${CI}`, 'f');

  it('names the token a request bears', () => {
    expect(checkBearer(tokens, `Bearer ${GRAFANA}`)).toEqual({ ok: true, name: 'grafana' });
    expect(checkBearer(tokens, `bearer ${CI}`)).toEqual({ ok: true, name: 'ci' });
  });

  it('refuses a request bearing no token, another scheme, or a token it does not know', () => {
    expect(checkBearer(tokens, undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(checkBearer(tokens, '')).toEqual({ ok: false, reason: 'missing' });
    expect(checkBearer(tokens, `Basic ${Buffer.from(`u:${GRAFANA}`).toString('base64')}`)).toEqual({ ok: false, reason: 'missing' });
    expect(checkBearer(tokens, 'Bearer ')).toEqual({ ok: false, reason: 'missing' });
    // Same length and one character off; a prefix; a longer one.
    expect(checkBearer(tokens, `Bearer ${GRAFANA.slice(0, -1)}0`)).toEqual({ ok: false, reason: 'wrong' });
    expect(checkBearer(tokens, `Bearer ${GRAFANA.slice(0, 20)}`)).toEqual({ ok: false, reason: 'wrong' });
    expect(checkBearer(tokens, `Bearer ${GRAFANA}0`)).toEqual({ ok: false, reason: 'wrong' });
    expect(checkBearer(tokens, `Bearer ${GRAFANA} ${CI}`)).toEqual({ ok: false, reason: 'missing' });
    expect(checkBearer([], `Bearer ${GRAFANA}`)).toEqual({ ok: false, reason: 'wrong' });
  });
});
