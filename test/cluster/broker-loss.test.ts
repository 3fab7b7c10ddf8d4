// A 3-broker Kafka cluster (3-server ZooKeeper ensemble) under two workers:
// the leader of a partition in use is killed -9 mid-stream while events
// (no ids) keep coming, and restarted later. Redis must end with exactly the
// totals this test computed itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twoWorkerRun, type ClusterStack } from '../support/cluster-stack';
import type { ExactRun } from '../support/exact-run';
import { sleep } from '../support/pipeline-harness';
import { kafkaErrorLine } from '../../spouts/kafka-admin';
import { deployTopology } from '../../topology/deploy/deploy';

describe('3 brokers, 3 ZooKeeper servers, two workers, no event ids', () => {
  let stack: ClusterStack;
  let run: ExactRun;
  const timings: string[] = [];

  beforeAll(async () => {
    ({ stack, run } = await twoWorkerRun('bkill'));
  }, 240_000);

  /** What the test's producer sent again (nothing of it written: a leader moving), for the timings. */
  const resent = (since: () => number) => {
    const lines: string[] = [];
    const onResend = (r: { partition?: number; tries: number; error: unknown }) =>
      lines.push(`p${r.partition ?? '?'} try ${r.tries} at +${Date.now() - since()} ms (${kafkaErrorLine(r.error).slice(0, 80)})`);
    return { onResend, said: () => (lines.length === 0 ? 'no partition sent again' : `partitions sent again ${lines.length} times: ${lines.join('; ')}`) };
  };

  afterAll(() => {
    console.log(`cluster faults (fault -> exact counts):\n  ${timings.join('\n  ')}`);
    run?.close();
  });

  it('deploy replicates the topics 3 times on 3 brokers', async () => {
    for (let p = 0; p < 6; p++) {
      const { replicas, isr } = await stack.leaderOf(run.topic, p);
      expect(replicas).toHaveLength(3);
      expect(isr).toHaveLength(3);
    }
  });

  it('deploy replicates as asked (--replicas 2 --min-isr 1)', async () => {
    const name = `${run.name}-r2`;
    // Under a ZooKeeper root of its own: the run's workers never pick it up.
    await deployTopology({ ...run.config, zkRoot: `${run.config.zkRoot}-r2` }, 'taba', { name, topic: `${name}-tabs`, partitions: 2, replicas: 2, minInsyncReplicas: 1 });
    for (let p = 0; p < 2; p++) expect((await stack.leaderOf(`${name}-tabs`, p)).replicas).toHaveLength(2);
  });

  it('the leader of a partition in use killed -9 mid-stream, restarted 15 s later: exact', async () => {
    const acked: number[] = [];
    let killedAt = 0;
    const resends = resent(() => killedAt);
    const producing = run.produce(100_000, { pauseMs: 500, perMessage: 25, onProgress: () => acked.push(Date.now()), onResend: resends.onResend }).catch((err: unknown) => {
      throw new Error(`the test's producer gave up ${Date.now() - killedAt} ms after the kill (acks at +${acked.map((t) => t - killedAt).join(', +')} ms): ${kafkaErrorLine(err)}`);
    });
    await sleep(1500);
    const { node } = await stack.leaderOf(run.topic, 0);
    await stack.kill(node);
    killedAt = Date.now();
    await sleep(15_000);
    await stack.restart(node);
    const backAt = Date.now();
    await producing;
    const producedAt = Date.now();
    const exact = await run.waitExact(90_000);
    const gaps = acked.map((t, i) => t - (acked[i - 1] ?? t));
    timings.push(
      `${node} (leader of partition 0) kill -9: exact ${exact - killedAt} ms after the kill; broker back after ${backAt - killedAt} ms, production (100k events over the fault, a chunk of 20k every ~0.5 s) ended ${producedAt - killedAt} ms after the kill, exact ${exact - producedAt} ms after that; producer acks at +${acked.map((t) => t - killedAt).join(', +')} ms of the kill (longest gap ${Math.max(...gaps)} ms); ${resends.said()}`,
    );
    expect(run.workers.every((w) => !w.exited)).toBe(true);
  }, 240_000);

  it('a leader killed -9 and left down: exact on the other two brokers', async () => {
    const { node } = await stack.leaderOf(run.topic, 1);
    await stack.kill(node);
    const killedAt = Date.now();
    const resends = resent(() => killedAt);
    await run.produce(30_000, { pauseMs: 200, onResend: resends.onResend });
    const producedAt = Date.now();
    const exact = await run.waitExact(90_000);
    timings.push(`${node} (leader of partition 1) kill -9, left down: exact ${exact - killedAt} ms after the kill (30k events produced after the kill, in ${producedAt - killedAt} ms); ${resends.said()}`);
    await stack.restart(node);
    await run.produce(5_000);
    await run.waitExact(60_000);
  }, 240_000);
});
