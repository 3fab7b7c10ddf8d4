// npm run bench:throughput-probe -- [flush interval ms] [runs] [events] [profile dir]:
// end-to-end runs of Tabstream's two workers over one loaded topic of the
// production shape (fresh states, as the latency and peers runs have), on the
// bench's own stack started for it (the ports of TABSTREAM_BENCH_*_PORT), each
// printed with its exactness and its events per worker CPU-second (which moves
// less than the rate from run to run, see tabstream-throughput.ts); with a
// profile dir, each worker writes a V8 CPU profile there. A tool to compare a change quickly (alternate runs before and
// after: the figures move run to run); `npm run bench` gives the figures.
import { benchPlan } from './bench-plan';
import { startBenchStack, stopBenchStack } from './bench-stack';
import { ensurePeerJar } from './peer-jar';
import { createLoadedTopic } from './loaded-topic';
import { tabstreamThroughput } from './tabstream-throughput';

const interval = Number(process.argv[2] ?? 250);
const runs = Number(process.argv[3] ?? 1);
const plan = benchPlan(false);
const shape = { ...plan.production, events: Number(process.argv[4] ?? plan.production.events) };
const cpuProfileDir = process.argv[5];
if (!(interval > 0) || !(runs >= 1) || !(shape.events > 0)) {
  process.stderr.write('usage: npm run bench:throughput-probe -- [flush interval ms, 250] [runs, 1] [events, the production shape\'s] [profile dir]\n');
  process.exit(2);
}
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
// The topic writer is a Java class in the peer's jar: a fresh checkout has none built yet.
await ensurePeerJar(log);
const stack = await startBenchStack(log);
try {
  const addresses = { zk: stack.zk, brokers: stack.brokers, redis: stack.redis };
  const loaded = await createLoadedTopic(stack.brokers, `bench-probe-${Date.now().toString(36)}`, plan.partitions, shape);
  log(`loaded ${loaded.events.toLocaleString('en-US')} events in ${loaded.load.seconds.toFixed(1)} s`);
  for (let i = 0; i < runs; i++) {
    const r = await tabstreamThroughput({ stack: addresses, loaded, workers: 2, flushIntervalMs: interval, cpuProfileDir });
    const problems = r.problems.length > 0 ? ` WRONG: ${r.problems.slice(0, 3).join('; ')}` : ' exact';
    const cpu = r.workerCpuSeconds.reduce((a, b) => a + b, 0);
    const perCpu = `workers' CPU ${r.workerCpuSeconds.map((c) => c.toFixed(1)).join(' / ')} s, ${Math.round(loaded.events / cpu).toLocaleString('en-US')} events per worker CPU-second`;
    log(`flush every ${interval} ms: ${Math.round(r.eventsPerSecond).toLocaleString('en-US')} events/s end to end, steady ${Math.round(r.steadyEventsPerSecond).toLocaleString('en-US')}; ${perCpu};${problems}`);
  }
} finally {
  await stopBenchStack(log);
}
process.exit(0);
