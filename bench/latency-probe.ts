// npm run bench:latency-probe -- <events/s> [flush interval ms] [runs] [--cold]:
// latency runs at one fixed offered load, on the bench's own stack started for
// it (the ports of TABSTREAM_BENCH_*_PORT), each printed as the full bench
// prints its own. A tool to compare a change quickly (run it before and after,
// alternated: the figures move run to run); `npm run bench -- --only latency`
// is the figure. A shorter run at the same load goes first, unless --cold, and
// is printed apart: the full bench measures latency after its throughput runs,
// on a broker whose JIT has compiled its hot code, and on a fresh broker the
// compiler threads took ~25 % of a core through the first run's minute
// (at 350 k events/s, 100 ms: p99 524 ms in a first run, 145 in a second).
import { benchPlan } from './bench-plan';
import { startBenchStack, stopBenchStack } from './bench-stack';
import { ensurePeerJar } from './peer-jar';
import { latencyLine } from './flush-intervals';
import { measureLatency } from './latency';

const cold = process.argv.includes('--cold');
const args = process.argv.slice(2).filter((a) => a !== '--cold');
const rate = Number(args[0]);
const interval = Number(args[1] ?? 100);
const runs = Number(args[2] ?? 1);
if (!(rate > 0) || !(interval > 0) || !(runs >= 1)) {
  process.stderr.write('usage: npm run bench:latency-probe -- <events/s> [flush interval ms, 100] [runs, 1] [--cold: no warming run first]\n');
  process.exit(2);
}
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
const plan = benchPlan(false);
// The topic writer is a Java class in the peer's jar: a fresh checkout has none built yet.
await ensurePeerJar(log);
const stack = await startBenchStack(log);
try {
  const run = (timing: { warmupMs: number; measureMs: number }) =>
    measureLatency({ stack: { zk: stack.zk, brokers: stack.brokers, redis: stack.redis }, shape: plan.production, partitions: plan.partitions, workers: 2, eventsPerSecond: rate, flushIntervalMs: interval, ...timing });
  if (!cold) log(`warming the stack (not a measurement): ${latencyLine(interval, await run({ warmupMs: 5_000, measureMs: 10_000 }))}`);
  for (let i = 0; i < runs; i++) {
    const r = await run(plan.latency);
    log(latencyLine(interval, r));
    log(`slowest event per second sent: ${r.perSecond.map((s) => s.maxMs).join(' ')}`);
  }
} finally {
  await stopBenchStack(log);
}
process.exit(0);
