import { Admin } from '@platformatic/kafka';
import { withTimeout } from '../contracts/with-timeout';
import { KafkaConnection, type KafkaSettings } from './kafka-connection';
import { hasKafkaErrorCode } from './kafka-errors';

/** ListOffsets' special timestamps: a partition's first retained offset, and its end (the next offset to be written). */
export const EARLIEST = -2n;
export const LATEST = -1n;

/** A topic to create: its partition count and any topic configs (`max.message.bytes`, ...). */
export interface TopicToCreate {
  topic: string;
  partitions: number;
  /** Replicas of each partition; the brokers' `default.replication.factor` when absent. */
  replicas?: number;
  configs?: Record<string, string>;
}

/** Kafka's answer to a CreateTopics of a topic that exists: someone else created it first, which is what was wanted. */
const TOPIC_ALREADY_EXISTS = 36;
/** How often a created topic's metadata is read again until every partition has a leader. */
const LEADER_POLL_MS = 100;

/**
 * Topic admin and offset lookups on @platformatic/kafka's Admin, for deploy,
 * status, `topology offsets`, the stack's readiness probe and the bench:
 * every call bounded by `timeoutMs` as a whole (connects, retries and all),
 * every failure one line that says what was asked.
 */
export class KafkaAdmin {
  private readonly admin: Admin;
  private readonly saslless: boolean;

  constructor(
    connection: KafkaConnection,
    clientId: string,
    private readonly timeoutMs = ADMIN_TIMEOUT_MS,
  ) {
    const options = connection.clientOptions(clientId);
    this.saslless = options.sasl === undefined;
    this.admin = new Admin({
      ...options,
      connectTimeout: Math.min(options.connectTimeout, timeoutMs),
      requestTimeout: Math.min(options.requestTimeout, timeoutMs),
      // The broker-side deadline of CreateTopics and DeleteTopics.
      timeout: timeoutMs,
      retries: 1,
      retryDelay: 200,
    });
  }

  static of(config: KafkaSettings, clientId: string, timeoutMs?: number): KafkaAdmin {
    return new KafkaAdmin(KafkaConnection.of(config), clientId, timeoutMs);
  }

  /** The cluster's topic names (internal ones left out). */
  async topics(): Promise<Set<string>> {
    return new Set(await this.call("list Kafka's topics", () => this.admin.listTopics()));
  }

  /** A topic's partition count, from fresh metadata. */
  async partitionCount(topic: string): Promise<number> {
    return this.call(`read the metadata of ${topic} from Kafka`, async () => {
      const meta = await this.admin.metadata({ topics: [topic], forceUpdate: true });
      const found = meta.topics.get(topic);
      if (found === undefined) throw new Error(`no topic ${topic}`);
      return found.partitionsCount;
    });
  }

  /**
   * Creates the topics (replication as the brokers' default), a topic that
   * already exists counting as created, and returns once every partition of
   * each has a leader, as KafkaJS's `waitForLeaders` did.
   */
  async createTopics(topics: TopicToCreate[]): Promise<void> {
    if (topics.length === 0) return;
    const names = topics.map((t) => t.topic);
    await this.call(`create ${names.join(', ')} in Kafka`, async () => {
      // One request per topic: a request gives all its topics the same partition count and configs.
      await Promise.all(
        topics.map((t) =>
          this.admin
            .createTopics({
              topics: [t.topic],
              partitions: t.partitions,
              ...(t.replicas !== undefined && { replicas: t.replicas }),
              configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
            })
            .catch((err: unknown) => {
              if (!hasKafkaErrorCode(err, TOPIC_ALREADY_EXISTS)) throw err;
            }),
        ),
      );
      // Bounded of its own too: the call's deadline does not stop this loop.
      const deadline = Date.now() + this.timeoutMs;
      while (Date.now() < deadline) {
        const meta = await this.admin.metadata({ topics: names, forceUpdate: true }).catch(() => null);
        const led = meta !== null && names.every((name) => {
          const topic = meta.topics.get(name);
          return topic !== undefined && topic.partitions.length > 0 && topic.partitions.every((p) => p !== undefined && p.leader >= 0);
        });
        if (led) return;
        await new Promise((resolve) => setTimeout(resolve, LEADER_POLL_MS));
      }
      throw new Error(`no leader for every partition within ${this.timeoutMs / 1000} s`);
    });
  }

  async deleteTopics(topics: string[]): Promise<void> {
    if (topics.length === 0) return;
    await this.call(`delete ${topics.join(', ')} from Kafka`, () => this.admin.deleteTopics({ topics }));
  }

  /**
   * Per topic, per partition: the offset at `at` (EARLIEST, LATEST, or an
   * epoch-ms time: the first offset whose record's timestamp is at or after
   * it, and the end offset when there is none, as KafkaJS's
   * fetchTopicOffsetsByTimestamp answered). READ_UNCOMMITTED: the end is the
   * high watermark, as KafkaJS's admin gave it.
   */
  async offsets(topics: string[], at: bigint | number): Promise<Map<string, Map<number, number>>> {
    const timestamp = BigInt(at);
    return this.call(`read the offsets of ${topics.join(', ')} from Kafka`, async () => {
      const meta = await this.admin.metadata({ topics, forceUpdate: true });
      const request = (ts: bigint) =>
        this.admin.listOffsets({
          topics: topics.map((name) => ({
            name,
            partitions: Array.from({ length: meta.topics.get(name)?.partitionsCount ?? 0 }, (_, partitionIndex) => ({ partitionIndex, timestamp: ts })),
          })),
        });
      const [found, ends] = await Promise.all([request(timestamp), timestamp >= 0n ? request(LATEST) : null]);
      const endOf = new Map<string, bigint>();
      for (const t of ends ?? []) for (const p of t.partitions) endOf.set(`${t.name}:${p.partitionIndex}`, p.offset);
      const out = new Map<string, Map<number, number>>(topics.map((t) => [t, new Map()]));
      for (const t of found) {
        for (const p of t.partitions) {
          const offset = p.offset >= 0n ? p.offset : (endOf.get(`${t.name}:${p.partitionIndex}`) ?? p.offset);
          out.get(t.name)?.set(p.partitionIndex, Number(offset));
        }
      }
      return out;
    });
  }

  /** The committed offsets of a consumer group (the bench's Kafka Streams peer), per partition of `topic`. */
  async groupOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
    return this.call(`read the offsets of group ${groupId} from Kafka`, async () => {
      // All the group's topics: naming partitions would need the topic's count first.
      const groups: Awaited<ReturnType<Admin['listConsumerGroupOffsets']>> = await this.admin.listConsumerGroupOffsets({ groups: [groupId] });
      const group = groups.find((g) => g.groupId === groupId);
      const out = new Map<number, number>();
      for (const t of group?.topics ?? []) {
        if (t.name !== topic) continue;
        for (const p of t.partitions) out.set(p.partitionIndex, Number(p.committedOffset));
      }
      return out;
    });
  }

  /** Cluster metadata: the brokers and the controller (the stack's readiness probe). */
  async cluster(): Promise<{ brokers: number; controller: number }> {
    return this.call("read Kafka's cluster metadata", async () => {
      const meta = await this.admin.metadata({ topics: [], forceUpdate: true });
      return { brokers: meta.brokers.size, controller: meta.controllerId };
    });
  }

  /** Closes the connections; never throws, never waits longer than the client's timeout. */
  async close(): Promise<void> {
    await withTimeout(this.admin.close(), this.timeoutMs, 'close').catch(() => {});
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(fn(), this.timeoutMs, `no answer within ${this.timeoutMs / 1000} s`);
    } catch (err) {
      const line = kafkaErrorLine(err);
      // A SASL listener closes a connection that sends anything before authenticating, and says no more.
      const hint = this.saslless && /Connection closed/i.test(line) ? ' (the broker closed the connection: does it require SASL? set kafka.sasl)' : '';
      throw new KafkaAdminError(`could not ${what}: ${line}${hint}`, err);
    }
  }
}

/** A failed admin call, said in one line; `cause` is the client's own error. */
export class KafkaAdminError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'KafkaAdminError';
  }
}

/**
 * One line for a @platformatic/kafka error: its message and those of the
 * errors it gathers (a MultipleErrors per broker or per try) and of their
 * causes, each said once ("Connection to 127.0.0.1:1 failed: connect ECONNREFUSED 127.0.0.1:1").
 */
export function kafkaErrorLine(err: unknown): string {
  const seen: string[] = [];
  const visit = (e: unknown, depth: number): void => {
    if (depth > 6 || e === null || e === undefined) return;
    const message = e instanceof Error ? e.message : String(e);
    const line = message.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
    if (line !== '' && !seen.includes(line)) seen.push(line);
    if (typeof e !== 'object') return;
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors)) for (const inner of errors) visit(inner, depth + 1);
    visit((e as { cause?: unknown }).cause, depth + 1);
  };
  visit(err, 0);
  // Retries repeat the same failure; a wrapper's message says nothing its parts do not.
  const parts = seen.filter((line) => !/^(Listing offsets failed|\S+ failed \d+ times)$/i.test(line) || seen.length === 1);
  // A wrapper repeats what it wraps ("Cannot connect to any broker: Connection to ... failed"): each part said once.
  const said: string[] = [];
  for (const line of parts.length > 0 ? parts : seen) if (!said.some((s) => s.includes(line))) said.push(line);
  return said.slice(0, 3).join(': ');
}

/** An admin call (connects, retries and all) that takes longer fails. */
export const ADMIN_TIMEOUT_MS = 10_000;
