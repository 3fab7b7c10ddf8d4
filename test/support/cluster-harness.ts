// Cluster tests: several worker processes of one topology, what they logged,
// and who owned which partition at each generation.
import { ZkClient } from '../../topology/coordination/zk-client';
import type { Assignment } from '../../topology/coordination/assignment-store';
import type { TabstreamConfig } from '../../topology/config';
import { WorkerProcess, type WorkerLogLine } from './pipeline-harness';

export class WorkerFleet {
  readonly all: WorkerProcess[] = [];
  private next = 0;

  constructor(
    private readonly config: TabstreamConfig,
    private readonly prefix: string,
  ) {}

  start(): WorkerProcess {
    const w = new WorkerProcess(this.config, `${this.prefix}-w${this.next++}`);
    this.all.push(w);
    return w;
  }

  get live(): WorkerProcess[] {
    return this.all.filter((w) => !w.exited);
  }

  /** Every log line of every worker with the worker's id, in time order. */
  logs(msg?: string): Array<WorkerLogLine & { from: string }> {
    return this.all
      .flatMap((w) => w.logs.map((l) => ({ ...l, from: w.id })))
      .filter((l) => msg === undefined || l.msg === msg)
      .sort((a, b) => a.time - b.time);
  }

  /**
   * Partitions each worker said it ran, per generation (from its `running`
   * lines). A partition listed by two workers at one generation is a
   * double owner.
   */
  ownersByGeneration(topology: string): Map<number, Map<number, string[]>> {
    const out = new Map<number, Map<number, string[]>>();
    for (const l of this.logs('running')) {
      if (l.topology !== topology || l.generation === undefined) continue;
      const g = out.get(l.generation) ?? new Map<number, string[]>();
      // A worker may log one generation twice (an assignment retried after a failure): count it once.
      for (const p of l.partitions ?? []) g.set(p, [...new Set([...(g.get(p) ?? []), l.from])]);
      out.set(l.generation, g);
    }
    return out;
  }

  /** When the first worker other than `dead` started running all of `partitions` again (ms), or null. */
  resumedAt(topology: string, dead: string, partitions: number[], after: number): number | null {
    const waiting = new Set(partitions);
    for (const l of this.logs('running')) {
      if (l.topology !== topology || l.from === dead || l.time < after) continue;
      for (const p of l.partitions ?? []) waiting.delete(p);
      if (waiting.size === 0) return l.time;
    }
    return null;
  }

  killAll(): void {
    for (const w of this.all) w.kill('SIGKILL');
  }
}

/** Records every assignment generation the leader writes, as ZooKeeper shows it. */
export class AssignmentRecorder {
  readonly seen: Assignment[] = [];
  private zk: ZkClient | null = null;
  private stopWatch: (() => void) | null = null;

  async start(config: TabstreamConfig, topology: string): Promise<void> {
    this.zk = await ZkClient.forConfig(config);
    this.stopWatch = this.zk.watchData(`assignments/${topology}`, (node) => {
      if (node?.data) this.seen.push(JSON.parse(node.data.toString('utf8')) as Assignment);
    });
  }

  current(): Assignment | undefined {
    return this.seen[this.seen.length - 1];
  }

  /** The partitions `worker` owned in the last generation that named it. */
  partitionsOf(worker: string): number[] {
    for (let i = this.seen.length - 1; i >= 0; i--) {
      const owned = Object.entries(this.seen[i]!.partitions).filter(([, w]) => w === worker).map(([p]) => Number(p));
      if (owned.length > 0) return owned;
    }
    return [];
  }

  async stop(): Promise<void> {
    this.stopWatch?.();
    await this.zk?.close();
  }
}

export function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
