// Recovery: two workers share a topic that keeps receiving events; one is
// killed with -9. Timed from the kill to (a) the survivor claiming each of
// the dead worker's partitions, and (b) each of them having new events
// flushed under the new owner: processed again. The session timeout sets
// how soon ZooKeeper notices the death.
import { partitionForKey } from '../client/partition-for-key';
import { BenchCluster, type StackAddresses } from './bench-cluster';
import type { BenchWorker } from './bench-worker';
import { createTopic } from './loaded-topic';
import { TopicWriter } from './topic-writer';

export interface RecoveryResult {
  sessionTimeoutMs: number;
  partitionsMoved: number;
  /** Kill to the last of the dead worker's partitions claimed by the survivor. */
  claimedMs: number;
  /** Kill to the last of them flushing new events under the survivor. */
  recoveryMs: number;
}

const TRICKLE_MESSAGES_PER_SECOND = 200;

export interface Trickle {
  /** Stops sending; resolves with how many messages were sent. */
  stop(): Promise<number>;
}

/**
 * Sends message n = 0, 1, ... at a steady rate, each to the partition its
 * key hashes to, so a partition that is processed again shows it.
 */
export function startTrickle(writer: TopicWriter, partitions: number, message: (n: number) => { key: string; value: Buffer }): Trickle {
  let trickling = true;
  let sent = 0;
  const running = (async () => {
    for (; trickling; sent++) {
      const { key, value } = message(sent);
      await writer.write(key, value, partitionForKey(key, partitions));
      await writer.flush();
      await new Promise((r) => setTimeout(r, 1000 / TRICKLE_MESSAGES_PER_SECOND));
    }
  })();
  return {
    stop: async () => {
      trickling = false;
      await running;
      return sent;
    },
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`recovery: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function measureRecovery(opts: { stack: StackAddresses; partitions: number; sessionTimeoutMs?: number }): Promise<RecoveryResult> {
  const topic = `recovery-${Date.now().toString(36)}`;
  await createTopic(opts.stack.brokers, topic, opts.partitions);
  const cluster = new BenchCluster(opts.stack, 'recovery', topic, opts.partitions);
  const writer = new TopicWriter(opts.stack.brokers, topic);
  let trickle: Trickle | undefined;
  try {
    await cluster.deploy();
    const session = opts.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: opts.sessionTimeoutMs };
    cluster.startWorker(session);
    await cluster.waitUntilBalanced(60_000);
    const victim = cluster.startWorker(session);
    trickle = startTrickle(writer, opts.partitions, (n) => {
      const key = `counter.${n % 1000}`;
      return { key, value: Buffer.from(JSON.stringify([{ tab: key, type: 'counter', value: 1, time: Date.now(), client: 'trickle' }])) };
    });
    const moved = await until(
      'the second worker to own partitions and flush them',
      async () => {
        await cluster.waitUntilBalanced(60_000);
        const mine = await cluster.partitionsOf(victim);
        const progress = await cluster.progress();
        return mine.length > 0 && mine.every((p) => progress[p]!.flushed > 0) ? mine : undefined;
      },
      60_000,
    );
    await new Promise((r) => setTimeout(r, 2000));
    const { claimedMs, recoveryMs } = await killAndTimeTakeover(cluster, victim, moved);
    await trickle.stop();
    return {
      sessionTimeoutMs: opts.sessionTimeoutMs ?? cluster.config.sessionTimeoutMs,
      partitionsMoved: moved.length,
      claimedMs,
      recoveryMs,
    };
  } finally {
    await trickle?.stop();
    writer.kill();
    await cluster.close();
  }
}

/**
 * Kills `victim` with -9 while its partitions `moved` keep receiving events,
 * and times from the kill to the last of them claimed by a survivor, and to
 * the last of them flushing new events under the survivor (processed again).
 */
export async function killAndTimeTakeover(cluster: BenchCluster, victim: BenchWorker, moved: number[]): Promise<{ claimedMs: number; recoveryMs: number }> {
  const before = await cluster.progress();
  victim.kill('SIGKILL');
  const killedAt = Date.now();
  const claimedAt = new Map<number, number>();
  const processedAt = new Map<number, number>();
  await until(
    'the dead worker\u2019s partitions to be processed again',
    async () => {
      const now = await cluster.progress();
      const at = Date.now();
      for (const p of moved) {
        if (now[p]!.generation > before[p]!.generation && !claimedAt.has(p)) claimedAt.set(p, at);
        if (now[p]!.generation > before[p]!.generation && now[p]!.flushed > before[p]!.flushed && !processedAt.has(p)) processedAt.set(p, at);
      }
      return processedAt.size === moved.length ? true : undefined;
    },
    120_000,
  );
  return { claimedMs: Math.max(...claimedAt.values()) - killedAt, recoveryMs: Math.max(...processedAt.values()) - killedAt };
}
