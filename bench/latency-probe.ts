// npm run bench:latency-probe -- <events/s> [flush interval ms] [runs]: latency
// runs at one fixed offered load, on the bench's own stack started for it (the
// ports of TABSTREAM_BENCH_*_PORT), each printed as the full bench prints its
// own. A tool to compare a change quickly (run it before and after, alternated:
// the figures move run to run); `npm run bench -- --only latency` is the figure.
import { benchPlan } from './bench-plan';
import { startBenchStack, stopBenchStack } from './bench-stack';
import { ensurePeerJar } from './peer-jar';
import { latencyLine } from './flush-intervals';
import { measureLatency } from './latency';

const rate = Number(process.argv[2]);
const interval = Number(process.argv[3] ?? 100);
const runs = Number(process.argv[4] ?? 1);
if (!(rate > 0) || !(interval > 0) || !(runs >= 1)) {
  process.stderr.write('usage: npm run bench:latency-probe -- <events/s> [flush interval ms, 100] [runs, 1]\n');
  process.exit(2);
}
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
const plan = benchPlan(false);
// The topic writer is a Java class in the peer's jar: a fresh checkout has none built yet.
await ensurePeerJar(log);
const stack = await startBenchStack(log);
try {
  for (let i = 0; i < runs; i++) {
    const r = await measureLatency({ stack: { zk: stack.zk, brokers: stack.brokers, redis: stack.redis }, shape: plan.production, partitions: plan.partitions, workers: 2, eventsPerSecond: rate, flushIntervalMs: interval, ...plan.latency });
    log(latencyLine(interval, r));
    log(`slowest event per second sent: ${r.perSecond.map((s) => s.maxMs).join(' ')}`);
  }
} finally {
  await stopBenchStack(log);
}
process.exit(0);
