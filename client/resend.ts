// Sends that outlive a partition's leader moving (a broker lost, a leader
// being elected). @platformatic/kafka's producer (2.12.1) groups a send's
// records by leader and sends each group to the leader of its FIRST record's
// partition (#performSingleDestinationSend reads messages[0]), also when it
// tries again after the leader died: the partitions of a dead broker often
// get different new leaders, so the others are refused with
// NOT_LEADER_OR_FOLLOWER until its retries run out. It also refreshes its
// metadata once on NOT_LEADER_OR_FOLLOWER, then retries on what it has
// cached (only network errors make it look again).
//
// sendWithResend sends each partition's records as a send of their own, and
// sends a partition's records again, on fresh metadata and after a backoff,
// when its failure proves that no broker wrote them (nothingWritten: a leader
// moving or not elected yet, too few replicas in sync, no connection), until
// a deadline. Then, or on any other failure, it fails with a KafkaSendError
// that says whether trying later may help and whether some of the records
// may be in Kafka already. One partition per send is what lets a failure
// speak for its records (a send to several partitions fails as a whole when
// one fails, while the others were written), and what keeps the library's
// own tries going to the right leader.
//
// Why not trust the idempotent producer with the resend: the library drops a
// failed send's producer id and sequence numbers, so the next send comes
// from a new producer id, which the broker cannot match with the old one.
// Its own retries (same id, same sequence numbers) are safe; a send again
// here is safe only when nothing was written, or where a duplicate is
// dropped downstream (events with ids: `resendMaybeWritten`).
import { ProduceAcks } from '@platformatic/kafka';
import { isRetriable, kafkaErrorTree, nothingWritten } from './send-failure';

/** What a record needs here: its topic, and its partition or key (placed by the partitioner). */
export interface ResendMessage {
  topic: string;
  partition?: number;
  key?: Buffer | null;
}

/** What the resend uses of @platformatic/kafka's Producer. */
export interface ResendProducer<M extends ResendMessage> {
  send(options: { messages: M[] }): Promise<unknown>;
  metadata(options: { topics: string[]; forceUpdate?: boolean }): Promise<{ topics: Map<string, { partitionsCount: number } | undefined> }>;
}

/** Places a record without a partition (the producer's partitioner: the library takes it modulo the partition count). */
export type Partitioner = (message: unknown, key: Buffer | undefined | null) => number;

export interface ResendPolicy {
  /** No send again starts later than this after the send began, ms (a try under way finishes first, within the producer's own retries). */
  deadlineMs: number;
  /** The wait before the first send again, ms; it doubles each time up to `maxDelayMs`, give or take 20%. */
  firstDelayMs: number;
  maxDelayMs: number;
  /**
   * Also send again after a failure that may have written the records (a
   * timeout, a connection lost with the request out). Only where a
   * duplicate is dropped downstream: events with ids.
   */
  resendMaybeWritten: boolean;
  /** Told of each send again (or metadata asked again), before its wait: for logs and counts. */
  onResend?: (resend: { topic: string; partition?: number; tries: number; delayMs: number; error: unknown }) => void;
}

/**
 * Producer settings the resend counts on: idempotent, acks all (a record
 * acknowledged is on min.insync.replicas brokers, so a leader lost keeps
 * it), and metadata no older than a second, so that the producer's own
 * retries (same producer id and sequence numbers: a try that was out and is
 * tried again is dropped by the broker) learn a new leader too.
 */
export const RESEND_PRODUCER_OPTIONS = { idempotent: true, acks: ProduceAcks.ALL, metadataMaxAge: 1_000 } as const;

export const DEFAULT_RESEND: ResendPolicy = { deadlineMs: 30_000, firstDelayMs: 100, maxDelayMs: 2_000, resendMaybeWritten: false };

/** Time and chance, replaceable in unit tests. */
export interface ResendClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

const realClock: ResendClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Whether sending a failed send's records again can neither fail for sure nor (unless allowed) duplicate them. */
export function mayResend(error: unknown, policy: Pick<ResendPolicy, 'resendMaybeWritten'>): boolean {
  return isRetriable(error) && (policy.resendMaybeWritten || nothingWritten(error));
}

/**
 * After try number `tries` (1: the first) failed `elapsedMs` into the send:
 * how long to wait before the next, or undefined to give up (not `safe` to
 * send again, or the deadline would pass first). `random` in [0, 1).
 */
export function resendDelay(policy: ResendPolicy, tries: number, elapsedMs: number, safe: boolean, random: number): number | undefined {
  if (!safe) return undefined;
  const base = Math.min(policy.firstDelayMs * 2 ** (tries - 1), policy.maxDelayMs);
  const delay = Math.round(base * (0.8 + 0.4 * random));
  return elapsedMs + delay < policy.deadlineMs ? delay : undefined;
}

/** The records of one send, by the partition they go to; `index` is each one's place in the send. */
export function byPartition<M extends ResendMessage>(messages: readonly M[], partitionsOf: (topic: string) => number, partitioner: Partitioner): Map<string, { topic: string; partition: number; messages: M[]; index: number[] }> {
  const groups = new Map<string, { topic: string; partition: number; messages: M[]; index: number[] }>();
  messages.forEach((m, i) => {
    const partitions = partitionsOf(m.topic);
    const partition = m.partition ?? partitioner(m, m.key) % partitions;
    // A partition the topic does not have goes where the library sends it (modulo the count).
    const lands = partition % partitions;
    const placed = m.partition === undefined ? { ...m, partition } : m;
    const key = `${m.topic}\u0000${lands}`;
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = { topic: m.topic, partition: lands, messages: [], index: [] }));
    group.messages.push(placed);
    group.index.push(i);
  });
  return groups;
}

/** One partition's records that were not acknowledged. */
export interface PartitionFailure {
  topic: string;
  /** Undefined when the send failed before its records were placed (no metadata). */
  partition?: number;
  records: number;
  tries: number;
  error: unknown;
  /** The failure does not prove that nothing was written. */
  maybeWritten: boolean;
}

/** The distinct messages of the errors at the bottom of a failure (the ones that say what happened). */
function leafMessages(err: unknown): string[] {
  const lines = new Set<string>();
  for (const e of kafkaErrorTree(err)) {
    const inner = (Array.isArray(e.errors) && e.errors.length > 0) || (typeof e.cause === 'object' && e.cause !== null);
    if (!inner && typeof e.message === 'string') lines.add(e.message.replace(/\.$/, ''));
  }
  return [...lines].slice(0, 3);
}

/** A send that Kafka did not acknowledge in full, after every safe send again. */
export class KafkaSendError extends Error {
  override readonly name = 'KafkaSendError';
  /** Whether sending the records that failed again later may succeed. */
  readonly retriable: boolean;
  /** Whether some record that failed may be in Kafka all the same (a send again may duplicate it). */
  readonly maybeWritten: boolean;
  /** The failures themselves, one per partition (what kafkaErrorTree walks). */
  readonly errors: unknown[];

  constructor(
    readonly failures: PartitionFailure[],
    /** Places (in the send) of the records Kafka acknowledged. */
    readonly acked: ReadonlySet<number>,
    readonly records: number,
    readonly elapsedMs: number,
  ) {
    const failed = failures.reduce((n, f) => n + f.records, 0);
    const where = failures.map((f) => `${f.topic}:${f.partition ?? '?'} after ${f.tries} ${f.tries === 1 ? 'try' : 'tries'} (${leafMessages(f.error).join('; ')})`);
    super(`Kafka did not acknowledge ${failed} of ${records} records in ${elapsedMs} ms: ${where.join(', ')}`);
    this.errors = failures.map((f) => f.error);
    this.retriable = failures.length > 0 && failures.every((f) => isRetriable(f.error));
    this.maybeWritten = failures.some((f) => f.maybeWritten);
  }
}

/** Tries `attempt` until it succeeds, or `safe` says no, or the deadline comes; between tries, waits and runs `between`. */
async function withResends<T>(
  where: { topic: string; partition?: number },
  attempt: () => Promise<T>,
  safe: (error: unknown) => boolean,
  between: () => Promise<unknown>,
  started: number,
  policy: ResendPolicy,
  clock: ResendClock,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown; tries: number }> {
  for (let tries = 1; ; tries++) {
    try {
      return { ok: true, value: await attempt() };
    } catch (error) {
      const delay = resendDelay(policy, tries, clock.now() - started, safe(error), clock.random());
      if (delay === undefined) return { ok: false, error, tries };
      policy.onResend?.({ ...where, tries, delayMs: delay, error });
      await clock.sleep(delay);
      await between().catch(() => undefined);
    }
  }
}

/**
 * Sends `messages` (one send per partition, at once), sending a partition's
 * records again on fresh metadata while its failure proves nothing was
 * written, until `policy.deadlineMs`; rejects with a KafkaSendError naming
 * what was acknowledged and what not. Records without a partition are
 * placed by `partitioner`, as the producer would place them.
 */
export async function sendWithResend<M extends ResendMessage>(
  producer: ResendProducer<M>,
  messages: readonly M[],
  partitioner: Partitioner,
  policy: ResendPolicy = DEFAULT_RESEND,
  clock: ResendClock = realClock,
): Promise<void> {
  if (messages.length === 0) return;
  const started = clock.now();
  const topics = [...new Set(messages.map((m) => m.topic))];
  const meta = await withResends(
    { topic: topics.join(',') },
    () => producer.metadata({ topics }),
    (error) => isRetriable(error),
    async () => undefined,
    started,
    policy,
    clock,
  );
  if (!meta.ok) {
    const failure = { topic: topics.join(','), records: messages.length, tries: meta.tries, error: meta.error, maybeWritten: false };
    throw new KafkaSendError([failure], new Set(), messages.length, clock.now() - started);
  }
  const partitionsOf = (topic: string) => meta.value.topics.get(topic)?.partitionsCount ?? 1;
  const groups = [...byPartition(messages, partitionsOf, partitioner).values()];
  const outcomes = await Promise.all(
    groups.map((group) =>
      withResends(
        { topic: group.topic, partition: group.partition },
        () => producer.send({ messages: group.messages }),
        (error) => mayResend(error, policy),
        // The library's cache may still name the old leader: learn the new one before the send again.
        () => producer.metadata({ topics: [group.topic], forceUpdate: true }),
        started,
        policy,
        clock,
      ),
    ),
  );
  const acked = new Set<number>();
  const failures: PartitionFailure[] = [];
  outcomes.forEach((outcome, i) => {
    const group = groups[i]!;
    if (outcome.ok) for (const index of group.index) acked.add(index);
    else failures.push({ topic: group.topic, partition: group.partition, records: group.messages.length, tries: outcome.tries, error: outcome.error, maybeWritten: !nothingWritten(outcome.error) });
  });
  if (failures.length > 0) throw new KafkaSendError(failures, acked, messages.length, clock.now() - started);
}
