// A `--require` preload for `topology worker` processes (bench-worker.ts adds
// it when TABSTREAM_BENCH_PAUSE_DIR names a directory): logs every pause of
// the event loop of PAUSE_MS or more, and every garbage collection of GC_MS
// or more, in microseconds of the monotonic clock V8's CPU profiles use, and
// writes them to <dir>/<pid>.pauses.json when the worker exits. Read with
// a CPU profile of the same worker by bench/loop-pauses.ts, which says what
// ran in each pause. Plain CommonJS: it loads before tsx.
'use strict';
const { PerformanceObserver, performance } = require('node:perf_hooks');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.TABSTREAM_BENCH_PAUSE_DIR;
const isWorker = process.argv.some((a) => a.endsWith('topology.js')) && process.argv.includes('worker');
if (dir && isWorker) {
  /** A pause is a tick of a TICK_MS timer that came PAUSE_MS or more late. */
  const TICK_MS = 5;
  const PAUSE_MS = 60;
  const GC_MS = 10;
  // uv_hrtime and V8's profile timestamps both read CLOCK_MONOTONIC.
  const nowUs = () => Number(process.hrtime.bigint() / 1000n);
  const originUs = nowUs() - performance.now() * 1000;
  const pauses = [];
  const gcs = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.duration >= GC_MS) gcs.push({ atUs: Math.round(originUs + e.startTime * 1000), ms: Math.round(e.duration), kind: e.detail?.kind ?? 0 });
    }
  }).observe({ entryTypes: ['gc'] });
  let last = nowUs();
  setInterval(() => {
    const t = nowUs();
    const lateMs = (t - last) / 1000 - TICK_MS;
    if (lateMs >= PAUSE_MS) pauses.push({ fromUs: last, toUs: t, ms: Math.round(lateMs) });
    last = t;
  }, TICK_MS).unref();
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    try {
      writeFileSync(join(dir, `${process.pid}.pauses.json`), JSON.stringify({ pid: process.pid, tickMs: TICK_MS, pauses, gcs }));
    } catch {
      // A tool's output: the worker's exit must not fail for it.
    }
  };
  // A worker stopped by a signal drains and exits; one killed (-9) leaves nothing.
  process.on('exit', write);
}
