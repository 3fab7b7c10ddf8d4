// Redis's AOF rewrites during a measured run. A rewrite forks a child that
// writes the whole dataset anew (~11 s and most of a core at Taba's 6 M
// states); on this 2-core machine the workers pay for it, so a run's figures
// are read beside the rewrites that overlapped it (issue 11's mid-run dips).
// Polls `INFO persistence` once a second on a connection of its own.
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
}

/** One line for a report: when each rewrite ran, timed from the run's start, and what the file grew by. */
export function describeAofRewrites(f: AofRewriteFigures): string {
  const spans = f.rewrites.length === 0 ? 'none' : f.rewrites.map((r) => `${r.from_s.toFixed(0)}–${r.to_s.toFixed(0)} s`).join(', ');
  return `Redis AOF rewrites during the run (from its start): ${spans} (rewrite at ${f.auto_rewrite_percentage} % growth, ${f.auto_rewrite_min_size_mib} MiB at least); checkpoints grew the file ${f.appended_mib_per_s.toFixed(1)} MiB/s.`;
}

export interface PersistenceSample {
  rewriting: boolean;
  aofBytes: number;
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
  return { rewriting: fields.get('aof_rewrite_in_progress') === '1', aofBytes: Number(fields.get('aof_current_size') ?? Number.NaN) };
}

/**
 * Rewrites from timed samples: a rewrite spans the polls that saw it running.
 * Growth counts only increases between polls, so a rewrite's shrinking the
 * file does not hide what was appended around it.
 */
export function summarize(samples: ReadonlyArray<{ atS: number } & PersistenceSample>): { rewrites: AofRewrite[]; appendedBytes: number } {
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
        .info('persistence')
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
      return {
        rewrites,
        rewrite_s: rewrites.reduce((sum, r) => sum + (r.to_s - r.from_s), 0),
        appended_mib_per_s: seconds > 0 ? appendedBytes / MIB / seconds : 0,
        auto_rewrite_percentage: Number(setting.get('auto-aof-rewrite-percentage')),
        auto_rewrite_min_size_mib: Number(setting.get('auto-aof-rewrite-min-size')) / MIB,
      };
    } finally {
      this.redis.disconnect();
    }
  }
}
