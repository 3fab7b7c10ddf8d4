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

/** Whether Kafka answered `code` anywhere in the failure. */
export function hasKafkaErrorCode(err: unknown, code: number): boolean {
  for (const e of kafkaErrorTree(err)) if (e.apiCode === code) return true;
  return false;
}
