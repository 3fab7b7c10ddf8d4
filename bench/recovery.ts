// Recovery: two workers share a topic that keeps receiving events; one is
// killed with -9. Timed from the kill to (a) the survivor claiming each of
// the dead worker's partitions, and (b) each of them having new events
// flushed under the new owner: processed again. The session timeout sets
// how soon ZooKeeper notices the death.
import { partitionForKey } from '../client/partition-for-key';
import { BenchCluster, type StackAddresses } from './bench-cluster';
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
  let trickling = true;
  try {
    await cluster.deploy();
    const session = opts.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: opts.sessionTimeoutMs };
    cluster.startWorker(session);
    await cluster.waitUntilBalanced(60_000);
    const victim = cluster.startWorker(session);
    // A steady trickle into every partition, so a partition that is processed again shows it.
    const trickle = (async () => {
      for (let n = 0; trickling; n++) {
        const key = `counter.${n % 1000}`;
        const value = Buffer.from(JSON.stringify([{ tab: key, type: 'counter', value: 1, time: Date.now(), client: 'trickle' }]));
        await writer.write(key, value, partitionForKey(key, opts.partitions));
        await writer.flush();
        await new Promise((r) => setTimeout(r, 1000 / TRICKLE_MESSAGES_PER_SECOND));
      }
    })();
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
    trickling = false;
    await trickle;
    return {
      sessionTimeoutMs: opts.sessionTimeoutMs ?? cluster.config.sessionTimeoutMs,
      partitionsMoved: moved.length,
      claimedMs: Math.max(...claimedAt.values()) - killedAt,
      recoveryMs: Math.max(...processedAt.values()) - killedAt,
    };
  } finally {
    trickling = false;
    writer.kill();
    await cluster.close();
  }
}
