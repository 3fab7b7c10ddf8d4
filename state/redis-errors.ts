import {
  FencedError,
  PositionChangedError,
  StateStoreAccessError,
  StateStoreError,
  StateStoreUnavailableError,
  StateLostError,
  WatermarkRegressionError,
} from './errors';
import { TabstreamError } from '../contracts/tabstream-error';

/** Replies that mean "not now": a restart, a failover, a slow script, memory pressure. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|NOREPLICAS|OOM)\b/;
const SCRIPT_REFUSAL = /\b(TSFENCED|TSREGRESSION|TSLOST|TSCHANGED) (-?\d+) (-?\d+)/;
/** The login refused: a wrong user or password, or none where Redis wants one. */
const LOGIN_REFUSED = /^(WRONGPASS|NOAUTH)\b/;
/** The ACL user may not: a command or key refused (NOPERM), or a command a script runs (Redis says ERR then). */
const PERMISSION_DENIED = /^NOPERM\b|user executing the script can't run this command/;
/** Node's codes for a server certificate it does not accept. */
const CERTIFICATE_REFUSED = /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_[A-Z_]+|ERR_TLS_CERT_ALTNAME_INVALID)$/;

/** What a client's last failed connection attempt met (redis-client.ts connectionProblem). */
export interface ConnectionProblem {
  error: Error;
  everConnected: boolean;
}

/**
 * Maps what ioredis throws to Tabstream's errors: the scripts' refusals to
 * FencedError / StateLostError / PositionChangedError / WatermarkRegressionError;
 * a refused login or ACL permission to a non-retriable StateStoreAccessError;
 * lost connections and transient replies to a retriable
 * StateStoreUnavailableError; other replies to StateStoreError. `connection`,
 * the client's last connection problem, explains a command that failed for
 * want of a connection ("Connection is closed", "max retries"): a refused
 * login, a TLS certificate not trusted, a TLS port spoken to in plaintext.
 */
export function mapRedisError(err: unknown, topology: string, partition: number | null, connection?: ConnectionProblem): TabstreamError {
  if (err instanceof TabstreamError) return err;
  scrubCredentials(err);
  const where = partition === null ? topology : `${topology}:${partition}`;
  const reason = !isReply(err) && connection !== undefined ? connection.error : err;
  if (!isReply(reason)) {
    return new StateStoreUnavailableError(`Redis unavailable (${where}): ${connection === undefined ? messageOf(err) : describeConnectionProblem(connection)}`, err);
  }
  const message = reason.message;
  if (LOGIN_REFUSED.test(message)) {
    // NOAUTH's own words differ by command (HELLO's is a paragraph): say what it means.
    const said = message.startsWith('NOAUTH') ? 'NOAUTH: it requires a password and none was given (the redis URL, or redisPasswordFile)' : message;
    return new StateStoreAccessError('STATE_STORE_LOGIN_REFUSED', `Redis refused the login (${where}): ${said}`, reason);
  }
  if (PERMISSION_DENIED.test(message)) {
    return new StateStoreAccessError('STATE_STORE_PERMISSION_DENIED', `Redis refused this user the command (${where}): ${message.replace(/ script: [0-9a-f]{40}.*$/, '')}`, reason);
  }

  const refusal = SCRIPT_REFUSAL.exec(message);
  if (refusal) {
    const [, kind, stored, attempted] = refusal;
    const p = partition ?? -1;
    if (kind === 'TSFENCED') return new FencedError(topology, p, Number(stored), Number(attempted));
    if (kind === 'TSLOST') return new StateLostError(topology, p, Number(stored), Number(attempted));
    if (kind === 'TSCHANGED') return new PositionChangedError(topology, p, Number(stored), Number(attempted));
    return new WatermarkRegressionError(topology, p, Number(stored), Number(attempted));
  }
  if (TRANSIENT_REPLY.test(message)) {
    return new StateStoreUnavailableError(`Redis busy (${where}): ${message}`, reason);
  }
  return new StateStoreError(`Redis refused (${where}): ${message}`, reason);
}

/** Why a connection attempt failed, in words an operator can act on. */
export function describeConnectionProblem({ error, everConnected }: ConnectionProblem): string {
  // A cluster that reached none of its nodes says so, and keeps the last node's error.
  const lastNodeError = (error as { lastNodeError?: unknown }).lastNodeError;
  const cause = lastNodeError instanceof Error ? lastNodeError : error;
  const code = String((cause as NodeJS.ErrnoException).code ?? '');
  const message = messageOf(cause);
  if (CERTIFICATE_REFUSED.test(code)) {
    return `Redis's TLS certificate was not accepted (${message}): trust its CA with redisTls.ca (TABSTREAM_REDIS_CA), and name Redis by a host or address its certificate holds`;
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(message)) {
    return `no TLS answer from Redis (${message}): that port is plaintext, use redis:// (redis-cluster://, redis-sentinel://)`;
  }
  if (!everConnected && (code === 'ECONNRESET' || code === 'EPIPE')) {
    return `Redis closed every connection before answering (${message}): a TLS port does that to a plaintext client; if it is one, use rediss:// (rediss-cluster://, rediss-sentinel://) and redisTls.ca`;
  }
  return message;
}

const isReply = (err: unknown): err is Error => err instanceof Error && err.name === 'ReplyError';

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Takes the password out of the command an ioredis error carries (`AUTH user
 * password`, `HELLO 3 AUTH user password`: a refused login's error holds
 * the login command, and every command queued behind it gets that error), so
 * no log or error cause can print it. Returns the same error.
 */
export function scrubCredentials<E>(err: E): E {
  const command = (err as { command?: { name?: unknown; args?: unknown } } | null)?.command;
  if (command === undefined || typeof command.name !== 'string' || !Array.isArray(command.args)) return err;
  const args = command.args.map(String);
  const name = command.name.toLowerCase();
  if (name === 'auth' && args.length > 0) args[args.length - 1] = '***';
  else if (name === 'hello') {
    const at = args.findIndex((a) => a.toUpperCase() === 'AUTH');
    if (at >= 0 && at + 2 < args.length) args[at + 2] = '***';
  } else return err;
  command.args = args;
  return err;
}
