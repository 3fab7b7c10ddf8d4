import {
  FencedError,
  PositionChangedError,
  StateStoreError,
  StateStoreUnavailableError,
  TabstreamError,
  StateLostError,
  WatermarkRegressionError,
} from './errors';

/** Replies that mean "not now": a restart, a failover, a slow script, memory pressure. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|NOREPLICAS|OOM)\b/;
const SCRIPT_REFUSAL = /\b(TSFENCED|TSREGRESSION|TSLOST|TSCHANGED) (-?\d+) (-?\d+)/;

/**
 * Maps what ioredis throws to Tabstream's errors: the scripts' refusals to
 * FencedError / StateLostError / PositionChangedError / WatermarkRegressionError, lost connections and transient
 * replies to a retriable StateStoreUnavailableError, other replies to StateStoreError.
 */
export function mapRedisError(err: unknown, topology: string, partition: number | null): TabstreamError {
  if (err instanceof TabstreamError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const where = partition === null ? topology : `${topology}:${partition}`;
  const isReply = err instanceof Error && err.name === 'ReplyError';
  if (!isReply) return new StateStoreUnavailableError(`Redis unavailable (${where}): ${message}`, err);

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
    return new StateStoreUnavailableError(`Redis busy (${where}): ${message}`, err);
  }
  return new StateStoreError(`Redis refused (${where}): ${message}`, err);
}
