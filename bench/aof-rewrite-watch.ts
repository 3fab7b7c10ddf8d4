// Redis's AOF rewrites during a measured run. A rewrite forks a child that
// writes the whole dataset anew (~11 s and most of a core at Taba's 6 M
// states); on this 2-core machine the workers pay for it, so a run's figures
// are read beside the rewrites that overlapped it (issue 11's mid-run dips).
// Polls `INFO persistence cpu` once a second on a connection of its own: with
// Redis's own CPU beside it, a run shows what a rewrite costs the parent (its
// copy-on-write faults) as well as what the child takes.
import Redis from 'ioredis';

export interface AofRewrite {
  /** Seconds from the run's start (the origin given to stop) to the first poll that saw it running, and to the first that saw it done. */
  from_s: number;
  to_s: number;
}

export interface AofRewriteFigures {
  /** Rewrites seen running during the watch (a rewrite shorter than a poll may be missed). */
  rewrites: AofRewrite[];
  /** Their seconds in all. */
  rewrite_s: number;
  /** Growth of the append-only file over the watch (a rewrite shrinks it), MiB per second: what checkpoints append. */
  appended_mib_per_s: number;
  /** The thresholds the run had: a rewrite starts once the file grew by this percentage over its last rewrite, and is at least this big. */
  auto_rewrite_percentage: number;
  auto_rewrite_min_size_mib: number;
  /** Redis's own CPU (the parent, not the child), in cores: over the polls a rewrite ran in, and over the others. */
  redis_cores_rewriting?: number;
  redis_cores_otherwise?: number;
  /** CPU seconds the rewrite children took (Redis counts a child's once it has exited). */
  rewrite_child_cpu_s?: number;
  /** The most memory a rewrite copied on write (its pages the parent changed while it ran), MiB. */
  rewrite_cow_mib?: number;
}

/** One line for a report: when each rewrite ran, timed from the run's start, and what the file grew by. */
export function describeAofRewrites(f: AofRewriteFigures): string {
  const spans = f.rewrites.length === 0 ? 'none' : f.rewrites.map((r) => `${r.from_s.toFixed(0)}–${r.to_s.toFixed(0)} s`).join(', ');
  const line = `Redis AOF rewrites during the run (from its start): ${spans} (rewrite at ${f.auto_rewrite_percentage} % growth, ${f.auto_rewrite_min_size_mib} MiB at least); checkpoints grew the file ${f.appended_mib_per_s.toFixed(1)} MiB/s.`;
  if (f.redis_cores_otherwise === undefined || f.rewrites.length === 0) return line;
  const rewriting = f.redis_cores_rewriting === undefined ? '' : `, ${f.redis_cores_rewriting.toFixed(2)} while one ran`;
  // A child's CPU is counted once Redis has reaped it: a rewrite ending with the run may not be yet.
  const children = f.rewrite_child_cpu_s ? `the rewrites' children ${f.rewrite_child_cpu_s.toFixed(1)} CPU-s, ` : '';
  return `${line} Redis itself used ${f.redis_cores_otherwise.toFixed(2)} cores outside rewrites${rewriting}; ${children}copying up to ${f.rewrite_cow_mib?.toFixed(0)} MiB on write.`;
}

/** For a latency run's line: the rewrites seen from its warm-up to its end, timed from its measured window's start. */
export function describeWindowRewrites(rewrites: AofRewrite[] | null): string {
  if (rewrites === null) return 'Redis keeps no AOF';
  if (rewrites.length === 0) return 'no Redis AOF rewrite';
  return `Redis AOF rewrites at ${rewrites.map((r) => `${r.from_s.toFixed(0)}–${r.to_s.toFixed(0)} s`).join(', ')} of the window (negative: in the warm-up)`;
}

export interface PersistenceSample {
  rewriting: boolean;
  aofBytes: number;
  /** From `INFO cpu` when asked for (NaN otherwise): Redis's CPU seconds, and its exited children's. */
  cpuS: number;
  childCpuS: number;
  /** Bytes the running child has copied on write (0 with none), or the last one's when none runs. */
  cowBytes: number;
}

const MIB = 2 ** 20;
const POLL_MS = 1000;

/** The fields of `INFO persistence` the watch reads; null when AOF is off. */
export function parsePersistence(info: string): PersistenceSample | null {
  const fields = new Map<string, string>();
  for (const line of info.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1));
  }
  if (fields.get('aof_enabled') !== '1') return null;
  const num = (name: string) => Number(fields.get(name) ?? Number.NaN);
  const rewriting = fields.get('aof_rewrite_in_progress') === '1';
  return {
    rewriting,
    aofBytes: num('aof_current_size'),
    cpuS: num('used_cpu_user') + num('used_cpu_sys'),
    childCpuS: num('used_cpu_user_children') + num('used_cpu_sys_children'),
    cowBytes: rewriting ? num('current_cow_size') : num('aof_last_cow_size'),
  };
}

/** Redis's CPU use between polls, in cores, apart for the spans a rewrite ran in (a span counts as such when a rewrite was seen at either end). */
export function redisCores(samples: ReadonlyArray<{ atS: number } & PersistenceSample>): { rewriting?: number; otherwise?: number; childCpuS: number; cowMiB: number } {
  const spent = { rewriting: 0, otherwise: 0 };
  const seconds = { rewriting: 0, otherwise: 0 };
  let cowBytes = 0;
  for (let i = 1; i < samples.length; i++) {
    const [a, b] = [samples[i - 1]!, samples[i]!];
    if (b.cowBytes > cowBytes) cowBytes = b.cowBytes;
    const cpu = b.cpuS - a.cpuS;
    if (!Number.isFinite(cpu) || b.atS <= a.atS) continue;
    const during = a.rewriting || b.rewriting ? 'rewriting' : 'otherwise';
    spent[during] += cpu;
    seconds[during] += b.atS - a.atS;
  }
  const share = (k: 'rewriting' | 'otherwise') => (seconds[k] > 0 ? spent[k] / seconds[k] : undefined);
  const first = samples[0];
  const last = samples[samples.length - 1];
  const childCpuS = first === undefined || last === undefined ? 0 : last.childCpuS - first.childCpuS;
  return { rewriting: share('rewriting'), otherwise: share('otherwise'), childCpuS: Number.isFinite(childCpuS) ? childCpuS : 0, cowMiB: cowBytes / MIB };
}

/**
 * Rewrites from timed samples: a rewrite spans the polls that saw it running.
 * Growth counts only increases between polls, so a rewrite's shrinking the
 * file does not hide what was appended around it.
 */
export function summarize(samples: ReadonlyArray<{ atS: number } & Pick<PersistenceSample, 'rewriting' | 'aofBytes'>>): { rewrites: AofRewrite[]; appendedBytes: number } {
  const rewrites: AofRewrite[] = [];
  let open: number | null = null;
  let appendedBytes = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    if (s.rewriting && open === null) open = s.atS;
    if (!s.rewriting && open !== null) {
      rewrites.push({ from_s: open, to_s: s.atS });
      open = null;
    }
    if (i > 0 && s.aofBytes > samples[i - 1]!.aofBytes) appendedBytes += s.aofBytes - samples[i - 1]!.aofBytes;
  }
  if (open !== null) rewrites.push({ from_s: open, to_s: samples[samples.length - 1]!.atS });
  return { rewrites, appendedBytes };
}

export class AofRewriteWatch {
  private readonly redis: Redis;
  /** Wall times in ms. */
  private readonly samples: Array<{ atMs: number } & PersistenceSample> = [];
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> = Promise.resolve();

  constructor(redisUrl: string) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 2000 });
    this.redis.on('error', () => {});
  }

  start(): void {
    const poll = () => {
      this.polling = this.redis
        .info('persistence', 'cpu')
        .then((info) => {
          const s = parsePersistence(info);
          if (s !== null) this.samples.push({ atMs: Date.now(), ...s });
        })
        .catch(() => {}); // a missed poll leaves a gap, nothing more
    };
    poll();
    // Unref'd: a run that fails before stop() must not be kept alive by the watch.
    this.timer = setInterval(poll, POLL_MS).unref();
  }

  /** Ends the watch; rewrites are timed from `originMs` (the wall time the run's timeline starts at). */
  async stop(originMs: number): Promise<AofRewriteFigures | null> {
    if (this.timer) clearInterval(this.timer);
    await this.polling;
    try {
      if (this.samples.length === 0) return null;
      const config = await this.redis.config('GET', 'auto-aof-rewrite-*');
      const setting = new Map<string, string>();
      for (let i = 0; i + 1 < config.length; i += 2) setting.set(String(config[i]), String(config[i + 1]));
      const timed = this.samples.map(({ atMs, ...s }) => ({ atS: (atMs - originMs) / 1000, ...s }));
      const { rewrites, appendedBytes } = summarize(timed);
      const seconds = timed[timed.length - 1]!.atS - timed[0]!.atS;
      const cores = redisCores(timed);
      return {
        rewrites,
        rewrite_s: rewrites.reduce((sum, r) => sum + (r.to_s - r.from_s), 0),
        appended_mib_per_s: seconds > 0 ? appendedBytes / MIB / seconds : 0,
        auto_rewrite_percentage: Number(setting.get('auto-aof-rewrite-percentage')),
        auto_rewrite_min_size_mib: Number(setting.get('auto-aof-rewrite-min-size')) / MIB,
        redis_cores_rewriting: cores.rewriting,
        redis_cores_otherwise: cores.otherwise,
        rewrite_child_cpu_s: cores.childCpuS,
        rewrite_cow_mib: cores.cowMiB,
      };
    } finally {
      this.redis.disconnect();
    }
  }
}
