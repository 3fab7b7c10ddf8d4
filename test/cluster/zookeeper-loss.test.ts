// The 3-server ZooKeeper ensemble of the cluster suite (the stack
// broker-loss.test.ts uses) under two workers: a follower killed -9
// mid-stream, then the ensemble's leader, each restarted once counts are
// exact, while events (no ids) keep coming. The workers' sessions move to the servers
// left; Redis must end with exactly the totals this test computed itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twoWorkerRun, type ClusterStack } from '../support/cluster-stack';
import type { ExactRun } from '../support/exact-run';
import { sleep, waitFor } from '../support/pipeline-harness';

describe('3 ZooKeeper servers, two workers, no event ids', () => {
  let stack: ClusterStack;
  let run: ExactRun;
  const timings: string[] = [];

  beforeAll(async () => {
    ({ stack, run } = await twoWorkerRun('zkill'));
  }, 240_000);

  afterAll(() => {
    console.log(`ZooKeeper faults (fault -> exact counts):\n  ${timings.join('\n  ')}`);
    run?.close();
  });

  /**
   * Kills `node` -9 while 100k events are produced (a chunk every 1.5 s, so
   * the stream goes on longer after the kill than the workers' 4 s sessions
   * last without a server), and records the time
   * from the kill to exact counts with the node still down; then restarts it
   * and checks exact again.
   */
  async function killMidStream(node: string, what: string): Promise<void> {
    const producing = run.produce(100_000, { pauseMs: 1500, perMessage: 25 });
    await sleep(1500);
    await stack.kill(node);
    const killedAt = Date.now();
    const { leader } = await waitFor('a leader among the servers left', () => stack.zkEnsemble(), (e) => e.leader !== undefined && e.leader !== node, 30_000);
    const electedAt = Date.now();
    await producing;
    const producedAt = Date.now();
    const exact = await run.waitExact(90_000);
    timings.push(
      `${node} (${what}) kill -9: exact ${exact - killedAt} ms after the kill, with it still down; ${leader} led within ${electedAt - killedAt} ms, production (100k events, a chunk of 20k every ~1.5 s) ended ${producedAt - killedAt} ms after the kill, exact ${exact - producedAt} ms after that`,
    );
    expect(run.workers.every((w) => !w.exited)).toBe(true);
    await stack.restart(node);
    await run.produce(5_000);
    await run.waitExact(60_000);
  }

  it('a follower killed -9 mid-stream: exact, and again once it is back', async () => {
    const { nodes, leader } = await stack.zkEnsemble();
    expect(nodes).toHaveLength(3);
    expect(leader).toBeDefined();
    await killMidStream(nodes.find((n) => n !== leader)!, 'a follower');
  }, 240_000);

  it("then the ensemble's leader killed -9 mid-stream: exact, and again once it is back", async () => {
    const { leader } = await stack.zkEnsemble();
    expect(leader).toBeDefined();
    await killMidStream(leader!, 'the leader');
  }, 240_000);
});
