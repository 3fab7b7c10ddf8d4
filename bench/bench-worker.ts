// A `topology worker` process as an operator starts it, with what the
// benchmark needs on top of the test harness's: node flags (--cpu-prof), a
// config file (each run its own ZooKeeper root), and the process's RSS.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { BENCH_ROOT } from './bench-stack';
import { peakRssOf, rssOf } from './process-rss';
import { cpuSecondsOf } from './process-cpu';

export interface BenchWorkerOptions {
  id: string;
  configFile: string;
  sessionTimeoutMs?: number;
  /** Write a V8 CPU profile here when the worker exits. */
  cpuProfileDir?: string;
  /** `--working-set-mib`: the worker's budget for states in memory (default: the worker's own). */
  workingSetMiB?: number;
  /** Serve Prometheus /metrics on a free port (see `metrics()`). */
  metrics?: boolean;
}

export class BenchWorker {
  readonly child: ChildProcess;
  output = '';
  private metricsPort: string | undefined;

  constructor(readonly opts: BenchWorkerOptions) {
    // TABSTREAM_BENCH_WORKER_PROFILE_DIR profiles every worker of a run (a latency probe's, say), where no option asks.
    const profileDir = opts.cpuProfileDir ?? process.env.TABSTREAM_BENCH_WORKER_PROFILE_DIR;
    const nodeFlags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const args = ['worker', '--id', opts.id, '--config', opts.configFile];
    if (opts.sessionTimeoutMs !== undefined) args.push('--session-timeout', String(opts.sessionTimeoutMs));
    if (opts.workingSetMiB !== undefined) args.push('--working-set-mib', String(opts.workingSetMiB));
    if (opts.metrics) args.push('--metrics-port', '0');
    const env = { ...process.env };
    for (const name of ['TABSTREAM_ZK', 'TABSTREAM_BROKERS', 'TABSTREAM_REDIS']) delete env[name];
    // TABSTREAM_BENCH_PAUSE_DIR logs every worker's event-loop pauses and collections there (bench/loop-pauses.ts reads them);
    // through NODE_OPTIONS, which the worker's restart with its young generation keeps.
    if (process.env.TABSTREAM_BENCH_PAUSE_DIR) env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --require "${join(BENCH_ROOT, 'bench/loop-pauses-preload.cjs')}"`.trim();
    this.child = spawn(process.execPath, [...nodeFlags, join(BENCH_ROOT, 'bin/topology.js'), ...args], {
      cwd: BENCH_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // TABSTREAM_BENCH_WORKER_LOG_DIR keeps every worker's whole output there (`<id>.log`), where the run keeps its last 20,000 characters.
    const logDir = process.env.TABSTREAM_BENCH_WORKER_LOG_DIR;
    const log = logDir ? createWriteStream(join(logDir, `${opts.id}.log`), { flags: 'a' }) : undefined;
    const keep = (chunk: Buffer) => {
      log?.write(chunk);
      this.output = (this.output + chunk.toString()).slice(-20_000);
      // The line naming the metrics port comes early; the kept output may lose it later.
      this.metricsPort ??= /"port":(\d+)[^\n]*metrics served on \/metrics/.exec(this.output)?.[1];
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Resident set size in bytes, or NaN once gone. */
  rssBytes(): number {
    return rssOf(this.pid);
  }

  /** The CPU seconds it has spent so far, or NaN once gone. */
  cpuSeconds(): number {
    return cpuSecondsOf(this.pid);
  }

  /** The highest RSS the process has had so far (VmHWM), in bytes, or NaN once gone. */
  peakRssBytes(): number {
    return peakRssOf(this.pid);
  }

  /**
   * The worker's Prometheus samples (started with `metrics`), summed over
   * their labels, by metric name; empty when it serves none or is gone.
   */
  async metrics(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const text = await this.metricsText();
    for (const line of text.split('\n')) {
      const m = /^([a-z_]+)(?:\{[^}]*\})? ([-+0-9.eE]+|NaN)$/.exec(line);
      if (m) out.set(m[1]!, (out.get(m[1]!) ?? 0) + Number(m[2]));
    }
    return out;
  }

  /** Its /metrics as text; empty when it serves none, has exited or does not answer within 5 s. */
  async metricsText(): Promise<string> {
    if (this.metricsPort === undefined || this.exited) return '';
    return fetch(`http://127.0.0.1:${this.metricsPort}/metrics`, { signal: AbortSignal.timeout(5_000) })
      .then((r) => r.text())
      .catch(() => '');
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.exited) this.child.kill(signal);
  }

  /** SIGTERM (the worker drains, and writes its profile), SIGKILL if it takes too long. */
  async stop(timeoutMs = 60_000): Promise<void> {
    this.kill('SIGTERM');
    try {
      await this.waitExit(timeoutMs);
    } catch {
      this.kill('SIGKILL');
      await this.waitExit(10_000);
    }
  }

  async waitExit(timeoutMs: number): Promise<void> {
    if (this.exited) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${this.opts.id} did not exit:\n${this.output.slice(-3000)}`)), timeoutMs);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
