// Redis and Kafka faults against two workers of one topology, on the fault
// suite's own stack: events carry no ids (no dedup window can hide a replay),
// are produced before, during and after each fault, and the totals Redis
// ends with are compared with the ones this test computed.
import { spawn } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiServer } from '../../ui/api-server';
import { ClusterReader } from '../../ui/cluster-reader';
import { stackLayout } from '../../deploy/stack';
import { faultStack, type FaultStack } from '../support/fault-stack';
import { ExactRun } from '../support/exact-run';
import { configEnv, sleep, waitFor } from '../support/pipeline-harness';
import { runCli } from '../support/run-cli';
import { parsePrometheusText, samplesOf } from '../support/prometheus-text';
import type { TopologyStatus } from '../../topology/deploy/topology-status';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('Redis and Kafka outages, two workers, no event ids', () => {
  let stack: FaultStack;
  let run: ExactRun;
  let metricsPort = 0;
  const recoveries: string[] = [];

  beforeAll(async () => {
    stack = await faultStack();
    run = new ExactRun(stack.config({ sessionTimeoutMs: 4000 }), 'rkfault', 6);
    await run.deploy();
    const w0 = run.startWorker(['--metrics-port', '0']);
    run.startWorker();
    const served = await waitFor('the metrics port', async () => w0.logs.find((l) => l.msg === 'metrics served on /metrics'), (l) => l !== undefined, 60_000);
    metricsPort = Number(served!.port);
    await run.produce(20_000);
    await run.waitExact(60_000);
  }, 180_000);

  afterAll(async () => {
    console.log(`recovery (service back -> exact counts):\n  ${recoveries.join('\n  ')}`);
    await stack?.resume('redis').catch(() => {});
    run?.close();
  });

  it('Redis killed -9 mid-stream and restarted after 3 s: exact', async () => {
    const producing = run.produce(60_000, { pauseMs: 300 });
    await sleep(1000);
    await stack.kill('redis');
    await sleep(3000);
    await stack.restart('redis');
    const back = Date.now();
    await producing;
    const exact = await run.waitExact(60_000);
    recoveries.push(`Redis kill -9, 3 s down: ${exact - back} ms (production ended ${exact - back} ms before or less)`);
    expect(run.workers.every((w) => !w.exited)).toBe(true);
  }, 180_000);

  it('Redis paused (SIGSTOP) for 15 s: stalls are reported within 10 s, readers answer within 2 s and 5 s, then exact', async () => {
    const reader = new ClusterReader(run.config);
    const api = await ApiServer.listen({ reader, topology: run.name, log: pino({ level: 'silent' }) }, 0, '127.0.0.1');
    try {
      await run.produce(10_000);
      const pausedAt = Date.now();
      await stack.pause('redis');
      // Produced while Redis hangs: the workers fold it and cannot write it (idle ones would have nothing to stall).
      const producing = run.produce(40_000, { pauseMs: 300 });

      // The readers and status are asked side by side: the 10 s for status count from the pause,
      // and on a loaded host the readers' own checks (up to 2 s and 5 s) must not use them up.
      const readers = (async () => {
        // The HTTP API: 503 within 2 s, not a hang.
        const started = Date.now();
        const res = await fetch(`${api.url}/api/aggregate?tab=.*`, { signal: AbortSignal.timeout(10_000) });
        expect(res.status).toBe(503);
        expect(Date.now() - started).toBeLessThan(2000);

        // A CLI query: one line, exit 1, within 5 s.
        const query = await runCli(['query', 'aggregate', '.*', '--topology', run.name], configEnv(run.config), 20_000);
        expect(query.code).toBe(1);
        expect(query.ms).toBeLessThan(5000);
        expect(query.stderr.trim().split('\n')).toHaveLength(1);
        expect(query.stderr).toMatch(/^topology: Redis unavailable/);
      })();
      readers.catch(() => {}); // awaited below; its failure is reported there, not as unhandled

      // The stalls show within 10 s of the pause. Sampled through the API's status (the same reading as
      // `topology status`, in this process) every 250 ms, each answer timed from the pause: sequential
      // `status` runs of ~4 s each (start-up plus their 2 s Redis timeout) measured their own cadence
      // as much as the worker (a call starting just before the stall was published ended near 10 s).
      const allStalled = (s: TopologyStatus): boolean => s.partitions.length > 0 && s.partitions.every((p) => p.stalled?.kind === 'checkpoint_failed');
      let stalledSeenAt = 0;
      let lastSeen: TopologyStatus | null = null;
      const asks: Promise<void>[] = [];
      const askFailures: string[] = [];
      // What each answer showed, when it changed: where the time went if the stalls show late.
      const timeline: string[] = [];
      let lastShown = '';
      while (stalledSeenAt === 0 && Date.now() - pausedAt < 20_000) {
        const askedAt = Date.now();
        asks.push(
          (async () => {
            const res = await fetch(`${api.url}/api/status`, { signal: AbortSignal.timeout(10_000) });
            // 200 with the status while its last reading is reused; 503 with what it could read once Redis fails it.
            const body = (await res.json()) as TopologyStatus | { status: TopologyStatus };
            const seen = 'status' in body ? body.status : body;
            lastSeen = seen;
            const shown = stallTimeline(seen, pausedAt);
            if (shown !== lastShown) timeline.push(`+${Date.now() - pausedAt} ms (asked +${askedAt - pausedAt}): ${shown}`);
            lastShown = shown;
            if (allStalled(seen) && stalledSeenAt === 0) stalledSeenAt = Date.now();
          })().catch((err: unknown) => {
            askFailures.push(String(err));
          }),
        );
        await sleep(250);
      }
      await Promise.all(asks);
      expect(askFailures).toEqual([]);
      expect(stalledSeenAt, JSON.stringify((lastSeen as TopologyStatus | null)?.partitions)).toBeGreaterThan(0);
      expect(stalledSeenAt - pausedAt, timeline.join('\n')).toBeLessThan(10_000);
      recoveries.push(`Redis paused: every partition shown stalled ${stalledSeenAt - pausedAt} ms after the pause; status showed:\n    ${timeline.join('\n    ')}`);

      // `topology status` names them and why, within 5 s, exit 1 for the Redis it could not read.
      const status = await runCli(['status', run.name, '--json'], configEnv(run.config), 20_000);
      expect(status.ms).toBeLessThan(5000);
      expect(status.code).toBe(1);
      const last = JSON.parse(status.stdout) as TopologyStatus;
      expect(last.unavailable.join(' ')).toMatch(/^Redis:/);
      expect(allStalled(last), JSON.stringify(last.partitions)).toBe(true);
      expect(last.partitions[0]!.stalled!.reason).toMatch(/checkpoint failed: Redis unavailable/);
      await readers;

      // The API's status answers 503 with what it could read, stalls included; the worker's /metrics shows them.
      const apiStatus = await fetch(`${api.url}/api/status`, { signal: AbortSignal.timeout(10_000) });
      expect(apiStatus.status).toBe(503);
      const body = (await apiStatus.json()) as { error: string; status: TopologyStatus };
      expect(body.error).toMatch(/Redis/);
      expect(body.status.partitions.some((p) => p.stalled !== null)).toBe(true);
      const metrics = parsePrometheusText(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
      expect(samplesOf(metrics, 'tabstream_partition_stalled').filter((s) => s.labels.kind === 'checkpoint_failed').length).toBeGreaterThan(0);

      await sleep(Math.max(0, pausedAt + 15_000 - Date.now()));
      await stack.resume('redis');
      const back = Date.now();
      // serve answers again by itself within 5 s of Redis answering.
      await waitFor('the API answering again', async () => (await fetch(`${api.url}/api/aggregate?tab=.*`, { signal: AbortSignal.timeout(3000) })).status, (code) => code === 200, 5_000);
      await producing;
      const exact = await run.waitExact(60_000);
      recoveries.push(`Redis paused 15 s: ${exact - back} ms`);
      // One line when checkpoints stalled and one when they resumed, per worker: not one per retry.
      for (const w of run.workers) {
        const lines = w.logs.filter((l) => l.time >= pausedAt).map((l) => l.msg);
        expect(lines.filter((m) => m === 'checkpoints stalled').length, w.id).toBeLessThanOrEqual(1);
        expect(lines.filter((m) => m === 'checkpoint failed; retrying')).toEqual([]);
      }
      expect(run.said('checkpoints stalled', pausedAt).length).toBeGreaterThan(0);
      expect(run.said('checkpoints resumed', pausedAt).length).toBe(run.said('checkpoints stalled', pausedAt).length);
    } finally {
      await stack.resume('redis');
      await api.close();
      await reader.close();
    }
  }, 180_000);

  it('the demo ends on time, saying what it could not read, while Redis hangs', async () => {
    const env = { ...configEnv(run.config), TABSTREAM_ZK_ROOT: `${run.config.zkRoot}-demo` };
    const started = Date.now();
    const demo = spawn(process.execPath, [join(ROOT, 'bin/topology.js'), 'demo', '--no-stack', '--duration', '8', '--name', `${run.name}-demo`, '--topic', `${run.name}-demo`, '--partitions', '2'], {
      cwd: ROOT,
      env,
      detached: true,
    });
    let out = '';
    demo.stdout.on('data', (c: Buffer) => (out += c.toString()));
    demo.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => demo.on('close', resolve));
    try {
      await waitFor('the demo producing', async () => out, (o) => /events\/s over/.test(o), 90_000);
      const producingAt = Date.now();
      await sleep(2000);
      await stack.pause('redis');
      const code = await Promise.race([exited, sleep(60_000).then(() => 'late' as const)]);
      expect(code, out).not.toBe('late');
      // 8 s of production, then its worker's drain (two checkpoint attempts of 3 s) and a readout of 2 s: well under a minute.
      expect(Date.now() - producingAt, out).toBeLessThan(8_000 + 25_000);
      expect(out).toMatch(/could not read/);
    } finally {
      try {
        process.kill(-demo.pid!, 'SIGKILL');
      } catch {
        // ended
      }
      await stack.resume('redis');
    }
    console.log(`demo with Redis paused mid-run: ended ${Date.now() - started} ms after it started (8 s of production)`);
  }, 180_000);

  it('Kafka killed -9 and restarted after 10 s: exact', async () => {
    await run.produce(20_000);
    await stack.kill('kafka');
    await sleep(10_000);
    await stack.restart('kafka');
    const back = Date.now();
    await run.produce(20_000);
    const produced = Date.now();
    const exact = await run.waitExact(90_000);
    recoveries.push(`Kafka kill -9, 10 s down: ${exact - back} ms (the test's producer took ${produced - back} ms of it to send 20k events after the restart)`);
    expect(run.workers.every((w) => !w.exited)).toBe(true);
  }, 180_000);

  it('Redis restarted from a copy of its append-only file taken earlier: replayed from its watermark, exact, and reported', async () => {
    const aof = join(stackLayout(stack.dir).dataDir('redis'), 'appendonlydir');
    const copy = join(stack.dir, 'aof-copy');
    rmSync(copy, { recursive: true, force: true });
    cpSync(aof, copy, { recursive: true });
    const copiedAt = Date.now();
    // What Redis acknowledges after the copy is what it will lose.
    await run.produce(30_000, { pauseMs: 100 });
    await run.waitExact(60_000);
    await stack.kill('redis');
    rmSync(aof, { recursive: true, force: true });
    cpSync(copy, aof, { recursive: true });
    await stack.restart('redis');
    const back = Date.now();
    expect(await run.differences()).not.toEqual([]); // the restored Redis really is behind
    await run.produce(10_000);
    const exact = await run.waitExact(90_000);
    recoveries.push(`Redis rolled back to an AOF copy: ${exact - back} ms (including producing 10k events after it)`);
    // The workers saw that Redis lost their writes, and took the partitions up again from its watermark.
    const lost = run.workers.flatMap((w) => w.logs.filter((l) => l.time >= copiedAt && /Redis lost acknowledged writes/.test(l.msg)));
    expect(lost.length).toBeGreaterThan(0);
    // ZooKeeper's mirror, left ahead of the restored Redis, is put back where Redis stands.
    await waitFor(
      'the ZooKeeper mirror agreeing with Redis',
      async () => JSON.parse((await runCli(['status', run.name, '--json'], configEnv(run.config))).stdout) as TopologyStatus,
      (st) => st.partitions.every((p) => p.committedOffset === (p.watermark ?? -2) + 1),
      30_000,
    );
  }, 240_000);

  it('kill then deploy of the same name with workers running: resumes where it stopped, exact', async () => {
    await run.produce(10_000);
    await run.waitExact(60_000);
    const env = configEnv(run.config);
    const killed = await runCli(['kill', run.name, '--wait', '10'], env);
    expect(killed.code, killed.stderr).toBe(0);
    await run.produce(10_000); // produced while no topology of that name runs
    const deployed = await runCli(['deploy', 'taba', '--name', run.name, '--topic', run.topic], env);
    expect(deployed.code, deployed.stderr).toBe(0);
    const back = Date.now();
    await run.produce(10_000);
    const exact = await run.waitExact(60_000);
    recoveries.push(`kill + deploy: ${exact - back} ms (including producing 10k events after it)`);
    // Nothing was refused as fenced for good: the new deployment's generations are above the old ones.
    const status = JSON.parse((await runCli(['status', run.name, '--json'], env)).stdout) as TopologyStatus;
    expect(status.partitions.every((p) => p.stalled === null)).toBe(true);
    expect(status.partitions.map((p) => p.generation)).toEqual(status.partitions.map(() => status.generation));
  }, 180_000);
});

/** Each partition's stall (kind, and since when, from the pause) and each worker's last report, in one line. */
function stallTimeline(s: TopologyStatus, pausedAt: number): string {
  const partitions = s.partitions.map((p) => `p${p.partition}:${p.stalled === null ? '-' : `${p.stalled.kind}@${p.stalled.since - pausedAt}`}`);
  const reports = s.workers.map((w) => `${w.id.slice(-2)} reported ${w.health === undefined ? '-' : `+${w.health.reportedAt - pausedAt}`}`);
  return `${partitions.join(' ')}; ${reports.join(', ')}${s.unavailable.length > 0 ? '; unavailable' : ''}`;
}
