// What a failed @platformatic/kafka send says: whether the broker refused the
// records for good (too large, not authorized), whether trying again may
// help, and whether the failure proves that nothing was written (so that a
// send again cannot duplicate a record).

/** One error of a @platformatic/kafka failure, as a bag of the fields the library sets (apiCode, apiId, code, retriable...). */
export type KafkaErrorNode = Record<string, unknown>;

/**
 * The error and every error it holds, depth first: @platformatic/kafka wraps
 * a call's failures in MultipleErrors (an AggregateError: `errors`), one per
 * broker and per try, down to a ProtocolError per refused partition; `cause`
 * (and KafkaJS-style `originalError`) are followed too. Each is yielded once.
 */
export function* kafkaErrorTree(err: unknown, seen = new Set<unknown>()): Generator<KafkaErrorNode> {
  if (typeof err !== 'object' || err === null || seen.has(err)) return;
  seen.add(err);
  const e = err as KafkaErrorNode;
  yield e;
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* kafkaErrorTree(inner, seen);
  yield* kafkaErrorTree(e.cause, seen);
  yield* kafkaErrorTree(e.originalError, seen);
}

/** Kafka's refusals of a send as too large: MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE. */
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);
const TOO_LARGE_CODES = new Set([10, 18]);
/**
 * Kafka's refusals of the producer's idempotence state, not of the records:
 * OUT_OF_ORDER_SEQUENCE_NUMBER, DUPLICATE_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH,
 * UNKNOWN_PRODUCER_ID, PRODUCER_FENCED. A fresh producer (new id, new sequence
 * numbers) mends them.
 */
const PRODUCER_STATE_CODES = new Set([45, 46, 47, 59, 90]);
const UNKNOWN_TOPIC_OR_PARTITION = 3;
/**
 * A partition's refusals that the broker answers before it appends anything:
 * UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, NOT_LEADER_OR_FOLLOWER
 * (a leader moving), NOT_ENOUGH_REPLICAS (fewer in sync than min.insync.replicas).
 * Not NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT or NETWORK_EXCEPTION:
 * those come after the leader wrote the records.
 */
const NOTHING_APPENDED_CODES = new Set([3, 5, 6, 19]);
/**
 * The library's messages for a connection that failed before it carried a
 * request (refused, timed out while connecting, closed before it was ready).
 * A bare "Connection closed" may have had the request out: it is not here.
 */
const NOT_CONNECTED = /^Connection to \S+ (failed|timed out)\.$|^Connection closed while waiting for ready\.$|^Connection ready timed out/;

function childrenOf(e: KafkaErrorNode): unknown[] {
  return [...(Array.isArray(e.errors) ? e.errors : []), e.cause, e.originalError].filter((c) => typeof c === 'object' && c !== null);
}

/** The broker refused the send as too large (`MESSAGE_TOO_LARGE`, `RECORD_LIST_TOO_LARGE`): the same request will never pass. */
export function isTooLarge(err: unknown): boolean {
  for (const e of kafkaErrorTree(err)) {
    if ((typeof e.apiId === 'string' && TOO_LARGE.has(e.apiId)) || (typeof e.apiCode === 'number' && TOO_LARGE_CODES.has(e.apiCode))) return true;
  }
  return false;
}

/** The broker refused the producer's sequence numbers or id: only a fresh producer sends again. */
export function needsNewProducer(err: unknown): boolean {
  for (const e of kafkaErrorTree(err)) if (typeof e.apiCode === 'number' && PRODUCER_STATE_CODES.has(e.apiCode)) return true;
  return false;
}

/** Whether one underlying error (no errors inside it) may go away by itself. */
function leafRetriable(e: KafkaErrorNode): boolean {
  if (typeof e.retriable === 'boolean') return e.retriable; // our own errors say so
  if (typeof e.apiCode === 'number') {
    // A Kafka error code: the library's table says which refusals are for good (not authorized,
    // invalid record, ...). A missing topic may yet be created; the producer's own state is renewed.
    return e.canRetry !== false || e.apiCode === UNKNOWN_TOPIC_OR_PARTITION || PRODUCER_STATE_CODES.has(e.apiCode);
  }
  // The library's metadata turns UNKNOWN_TOPIC_OR_PARTITION into a UserError "Unknown topic ...".
  if (e.code === 'PLT_KFK_USER') return isUnknownTopic(e);
  if (e.code === 'PLT_KFK_AUTHENTICATION' || e.code === 'PLT_KFK_UNSUPPORTED_API' || e.code === 'PLT_KFK_UNSUPPORTED') return false;
  // Network errors, timeouts (the library marks them not retriable: a request timed out, the broker
  // may be back later), and anything unknown.
  return true;
}

function isUnknownTopic(e: KafkaErrorNode): boolean {
  return typeof e.message === 'string' && /^Unknown topic\b/.test(e.message);
}

/**
 * Whether sending the same records again later may succeed: a broker or the
 * network down, a request timed out, a leader moving, a topic not there yet
 * are; a refusal of the records themselves (too large, invalid, not
 * authorized) is not. With several errors inside (one per try, per broker),
 * one refusal for good makes the whole not retriable.
 */
export function isRetriable(err: unknown): boolean {
  if (isTooLarge(err)) return false;
  for (const e of kafkaErrorTree(err)) {
    if (childrenOf(e).length === 0 && !leafRetriable(e)) return false;
  }
  return true;
}

/**
 * Whether the failure proves that no broker wrote the records: every try of
 * it (one error each, inside MultipleErrors) was refused before an append
 * (a leader moving or not elected yet, too few replicas in sync, a topic not
 * known yet) or never reached a broker (no connection, no metadata). A
 * timeout or a connection lost with the request out proves nothing: the
 * leader may have written the records, and a send again may duplicate them.
 */
export function nothingWritten(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as KafkaErrorNode;
  if (e.code === 'PLT_KFK_NETWORK' && typeof e.message === 'string' && NOT_CONNECTED.test(e.message)) return true;
  if (typeof e.apiCode === 'number') return NOTHING_APPENDED_CODES.has(e.apiCode);
  if (e.code === 'PLT_KFK_USER') return isUnknownTopic(e);
  const inner = Array.isArray(e.errors) ? e.errors : [];
  return inner.length > 0 && inner.every(nothingWritten);
}
