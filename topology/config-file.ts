// The JSON config file (`--config`, `TABSTREAM_CONFIG`): read, and checked
// against every key Tabstream reads from it before any is used, so that each
// mistake is one line naming the file and the key, and a misspelt key is
// refused rather than silently ignored. `dev up --secure` writes such files
// (deploy/stack/secure-stack.ts): every key they use is here.
import { readFileSync } from 'node:fs';
import { nearestName } from './nearest-name';
import { SASL_MECHANISMS } from '../spouts/kafka-connection';

/** What a config file may hold: the settings of TabstreamConfig as JSON writes them. */
export interface ConfigFile {
  zk?: string;
  brokers?: string[] | string;
  redis?: string;
  redisTls?: { ca?: string; cert?: string; key?: string };
  redisPasswordFile?: string;
  zkRoot?: string;
  redisPrefix?: string;
  flushIntervalMs?: number;
  sessionTimeoutMs?: number;
  redisTimeoutMs?: number;
  maxEventFutureMs?: number;
  workingSetMiB?: number;
  staleTabAfterMs?: number;
  blockedTabs?: string[];
  kafka?: {
    tls?: { ca?: string; cert?: string; key?: string };
    sasl?: { mechanism?: (typeof SASL_MECHANISMS)[number]; username?: string; passwordFile?: string; password?: string };
  };
  serve?: { tokensFile?: string; tls?: { cert?: string; key?: string } };
  zkAuth?: { scheme?: 'digest'; credentials?: string; credentialsFile?: string };
}

/** A setting's value: what it expects, in words for the error, and the test. `secret`: the value never goes into a message. */
interface Leaf {
  expects: string;
  accepts: (value: unknown) => boolean;
  secret?: boolean;
}

/** An object of settings; `check` refuses combinations of its keys (a message without the key's path); `secret`: a value that is not an object may be one. */
interface Section {
  keys: Record<string, Leaf | Section>;
  example?: string;
  secret?: boolean;
  check?: (value: Record<string, unknown>) => string | null;
}

const text: Leaf = { expects: 'a string', accepts: (v) => typeof v === 'string' };
const path: Leaf = { expects: 'a file path (a string)', accepts: (v) => typeof v === 'string' };
const secretText: Leaf = { ...text, secret: true };
const positiveMs: Leaf = { expects: 'a positive integer of milliseconds', accepts: (v) => Number.isSafeInteger(v) && (v as number) > 0 };
const ms: Leaf = { expects: 'a non-negative integer of milliseconds', accepts: (v) => Number.isSafeInteger(v) && (v as number) >= 0 };
const oneOf = (values: readonly string[]): Leaf => ({
  expects: values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`,
  accepts: (v) => values.includes(v as string),
});
const strings = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
const tlsFiles = (...names: string[]): Section => ({ keys: Object.fromEntries(names.map((n) => [n, path])) });
const notBoth = (a: string, b: string) => (v: Record<string, unknown>) => (v[a] !== undefined && v[b] !== undefined ? `takes ${a} or ${b}, not both` : null);

const SCHEMA: Section = {
  keys: {
    zk: { expects: 'a ZooKeeper connection string such as "zk1:2181,zk2:2181"', accepts: (v) => typeof v === 'string' && v.trim() !== '' },
    brokers: { expects: 'a list of "host:port" strings, or one comma-separated string', accepts: (v) => (typeof v === 'string' && v.trim() !== '') || (strings(v) && (v as string[]).length > 0) },
    redis: { expects: 'a Redis URL (a string) such as "redis://host:6379"', accepts: (v) => typeof v === 'string' && v.trim() !== '', secret: true },
    redisTls: tlsFiles('ca', 'cert', 'key'),
    redisPasswordFile: path,
    zkRoot: { expects: 'a ZooKeeper path (a string) such as "/tabstream"', accepts: (v) => typeof v === 'string' && v.startsWith('/') },
    redisPrefix: text,
    flushIntervalMs: positiveMs,
    sessionTimeoutMs: positiveMs,
    redisTimeoutMs: positiveMs,
    maxEventFutureMs: ms,
    workingSetMiB: { expects: 'a positive number of MiB', accepts: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0 },
    staleTabAfterMs: ms,
    blockedTabs: { expects: 'a list of Tab name patterns (strings)', accepts: strings },
    kafka: {
      keys: {
        tls: tlsFiles('ca', 'cert', 'key'),
        sasl: {
          keys: { mechanism: oneOf(SASL_MECHANISMS), username: text, passwordFile: path, password: secretText },
          check: notBoth('password', 'passwordFile'),
        },
      },
    },
    serve: { keys: { tokensFile: path, tls: tlsFiles('cert', 'key') } },
    zkAuth: {
      keys: { scheme: oneOf(['digest']), credentials: secretText, credentialsFile: path },
      example: '{ "scheme": "digest", "credentialsFile": "<path>" } or { "scheme": "digest", "credentials": "user:password" }',
      secret: true,
      check: notBoth('credentials', 'credentialsFile'),
    },
  },
};

/** Reads and checks the config file; every error is one line naming it (and TABSTREAM_CONFIG when it came from there). */
export function readConfigFile(file: string, fromEnv: boolean): ConfigFile {
  const source = fromEnv ? `config file ${file} (TABSTREAM_CONFIG)` : `config file ${file}`;
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${source}: cannot read it: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (err) {
    // V8 quotes the text near the mistake, newlines and all: one line still.
    throw new Error(`${source}: not JSON: ${(err as Error).message.replace(/\s+/g, ' ')}`);
  }
  const problem = problemOf(parsed, SCHEMA, '');
  if (problem !== null) throw new Error(`${source}: ${problem}`);
  return parsed as ConfigFile;
}

/** The first thing wrong in `value` against `shape` (keys in the file's order), or null. `at` is the key path so far. */
function problemOf(value: unknown, shape: Leaf | Section, at: string): string | null {
  if ('accepts' in shape) return shape.accepts(value) ? null : `${at} must be ${shape.expects}, got ${shown(value, shape.secret)}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const what = at === '' ? 'it must be a JSON object of settings' : `${at} must be an object${shape.example ? `: ${shape.example}` : ''}`;
    return `${what}, got ${shown(value, shape.secret)}`;
  }
  const known = Object.keys(shape.keys);
  for (const [key, inner] of Object.entries(value)) {
    const here = at === '' ? key : `${at}.${key}`;
    const keyShape = Object.hasOwn(shape.keys, key) ? shape.keys[key] : undefined;
    if (keyShape === undefined) {
      const near = nearestName(key, known);
      const prefix = at === '' ? '' : `${at}.`;
      return `unknown key '${here}' (${near !== null ? `did you mean '${prefix}${near}'?` : `known keys${at === '' ? '' : ` of ${at}`}: ${known.join(', ')}`})`;
    }
    const problem = problemOf(inner, keyShape, here);
    if (problem !== null) return problem;
  }
  const refused = shape.check?.(value as Record<string, unknown>) ?? null;
  return refused === null ? null : `${at} ${refused}`;
}

/** A wrong value as an error shows it: its JSON (cut short), or only its kind when it may hold a secret. */
function shown(value: unknown, secret = false): string {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  if (secret && typeof value === 'string') return kind;
  const json = JSON.stringify(value);
  return json.length > 60 ? `${kind}` : json;
}
