// Who may call `topology serve`, and over what: its API tokens and its TLS
// certificate, each from a flag, else the environment, else the config
// file's `serve` key; and the refusal to listen beyond loopback with no token.
import { lookup } from 'node:dns/promises';
import { readFileSync, statSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { TabstreamConfig } from '../topology/config';
import { withTimeout } from '../contracts/with-timeout';
import { parseTokens, type ApiToken } from './api-tokens';

export interface ServeSecurityFlags {
  tokensFile?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export interface ServeSecurity {
  /** The tokens a request must bear one of; null: no authentication. */
  tokens: ApiToken[] | null;
  /** Where the tokens came from, for the line `serve` prints (never the tokens). */
  tokensFrom: string | null;
  /** The certificate and key to serve https with; null: plain http. */
  tls: { cert: Buffer; key: Buffer } | null;
  /** What an operator should hear about (a tokens file others can read). */
  warnings: string[];
}

/** The first of `candidates` that is set: its value and how it was given. */
function firstOf(candidates: Array<[string | undefined, string]>): { value: string; from: string } | undefined {
  for (const [value, from] of candidates) if (value) return { value, from };
  return undefined;
}

function readSetting(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`${what} ${path}: cannot read it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/**
 * The tokens and TLS settings of `serve`. Tokens: `--tokens-file`, else
 * TABSTREAM_API_TOKENS_FILE or the tokens themselves in TABSTREAM_API_TOKENS
 * (not both), else the config file's `serve.tokensFile`. TLS: `--tls-cert` and
 * `--tls-key`, else TABSTREAM_SERVE_TLS_CERT and _KEY, else `serve.tls`; each
 * of the two on its own. Files are read now, so a bad one stops `serve` before it listens.
 */
export function serveSecurity(flags: ServeSecurityFlags, env: NodeJS.ProcessEnv, fromFile: TabstreamConfig['serve']): ServeSecurity {
  const warnings: string[] = [];
  let tokens: ApiToken[] | null = null;
  let tokensFrom: string | null = null;
  if (!flags.tokensFile && env.TABSTREAM_API_TOKENS_FILE && env.TABSTREAM_API_TOKENS) {
    throw new Error('both TABSTREAM_API_TOKENS_FILE and TABSTREAM_API_TOKENS are set: give the tokens one way');
  }
  if (!flags.tokensFile && env.TABSTREAM_API_TOKENS) {
    tokens = parseTokens(env.TABSTREAM_API_TOKENS, 'TABSTREAM_API_TOKENS', { commas: true });
    tokensFrom = 'TABSTREAM_API_TOKENS';
  } else {
    const file = firstOf([
      [flags.tokensFile, '--tokens-file'],
      [env.TABSTREAM_API_TOKENS_FILE, 'TABSTREAM_API_TOKENS_FILE'],
      [fromFile?.tokensFile, 'the config file’s serve.tokensFile'],
    ]);
    if (file !== undefined) {
      const what = `tokens file (${file.from})`;
      tokens = parseTokens(readSetting(file.value, what).toString('utf8'), `tokens file ${file.value}`);
      tokensFrom = `tokens file ${file.value}`;
      const mode = statSync(file.value).mode & 0o777;
      if ((mode & 0o077) !== 0) warnings.push(`tokens file ${file.value} can be read by others (mode ${mode.toString(8)}): chmod 600 it`);
    }
  }
  if (tokens !== null && tokens.length === 0) throw new Error(`${tokensFrom} holds no token: lines of '<name> <token>'`);

  const cert = firstOf([[flags.tlsCert, '--tls-cert'], [env.TABSTREAM_SERVE_TLS_CERT, 'TABSTREAM_SERVE_TLS_CERT'], [fromFile?.tls?.cert, 'serve.tls.cert']]);
  const key = firstOf([[flags.tlsKey, '--tls-key'], [env.TABSTREAM_SERVE_TLS_KEY, 'TABSTREAM_SERVE_TLS_KEY'], [fromFile?.tls?.key, 'serve.tls.key']]);
  if ((cert === undefined) !== (key === undefined)) {
    throw new Error(`TLS needs both a certificate and its key: ${cert ? `${cert.from} given, no --tls-key (TABSTREAM_SERVE_TLS_KEY, serve.tls.key)` : `${key!.from} given, no --tls-cert (TABSTREAM_SERVE_TLS_CERT, serve.tls.cert)`}`);
  }
  let tls: ServeSecurity['tls'] = null;
  if (cert !== undefined && key !== undefined) {
    tls = { cert: readSetting(cert.value, `TLS certificate (${cert.from})`), key: readSetting(key.value, `TLS key (${key.from})`) };
    try {
      createSecureContext(tls);
    } catch (err) {
      throw new Error(`TLS certificate ${cert.value} and key ${key.value} do not make a certificate and its key: ${(err as Error).message}`);
    }
  }
  return { tokens, tokensFrom, tls, warnings };
}

/** An address of this machine only: 127.0.0.0/8, ::1, or 127.x mapped into IPv6 (in any spelling). */
export function isLoopback(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '');
  if (isIPv4(a)) return a.startsWith('127.');
  if (!isIPv6(a) || a.includes('%')) return false; // a zone id: link-local, not loopback
  // The URL parser writes an IPv6 address in its one canonical form: ::1, ::ffff:7f00:1.
  const canonical = new URL(`http://[${a}]`).hostname.slice(1, -1);
  return canonical === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(canonical);
}

const LOOKUP_WITHIN_MS = 5000;

/**
 * Refuses to listen on `host` when it is not loopback and no token guards
 * the API, unless the operator said `--insecure-no-auth`. A name is resolved
 * first: every address it gives must be loopback.
 */
export async function assertMayListen(host: string, authenticated: boolean, insecureNoAuth: boolean): Promise<void> {
  if (authenticated || insecureNoAuth) return;
  const addresses =
    isIPv4(host) || isIPv6(host.replace(/^\[|\]$/g, ''))
      ? [host]
      : (await withTimeout(lookup(host, { all: true }), LOOKUP_WITHIN_MS, `--host ${host}: no address within ${LOOKUP_WITHIN_MS / 1000} s`)).map((a) => a.address);
  const open = addresses.find((a) => !isLoopback(a));
  if (open !== undefined) {
    throw new Error(
      `--host ${host}${open === host ? '' : ` (${open})`} is not loopback and no API token is configured: give tokens (--tokens-file, TABSTREAM_API_TOKENS_FILE, TABSTREAM_API_TOKENS or serve.tokensFile), bind 127.0.0.1, or pass --insecure-no-auth`,
    );
  }
}
