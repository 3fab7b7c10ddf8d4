import type { Logger } from 'pino';
import type { ZkClient } from './zk-client';
import { listSpecs } from './spec-store';
import { readAssignment, writeAssignment } from './assignment-store';
import { stickyAssignment, type WorkerSlot } from './sticky-assignment';

export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  capacity: number | null;
  startedAt: number;
  version: string;
  /** What the worker last reported of its partitions' trouble (kept current while it has a session). */
  health?: WorkerHealth;
}

/** Per topology, the owned partitions that are not moving: kind, reason, since (epoch ms). */
export interface WorkerHealth {
  reportedAt: number;
  stalls: Record<string, Record<string, { kind: string; reason: string; since: number }>>;
  /** Per topology, what the worker did since it last published (absent from workers older than this field). */
  stats?: Record<string, WorkerTopologyStats>;
}

/** One topology's figures in a worker's health: for the dashboard, which reads them from ZooKeeper. */
export interface WorkerTopologyStats {
  /** Checkpoints written since the last publish: how many, mean and max milliseconds; null when none. */
  checkpoints: { count: number; meanMs: number; maxMs: number } | null;
  /** Dead letters by reason, counted by the partitions the worker owns now (a partition that moves away takes its counts). */
  deadLetters: Record<string, number>;
}

export async function listWorkers(zk: ZkClient): Promise<WorkerInfo[]> {
  if (!(await zk.exists('workers'))) return [];
  const ids = await zk.children('workers');
  const infos = await Promise.all(ids.map((id) => zk.getJson<WorkerInfo>(`workers/${id}`).catch(() => null)));
  return infos.filter((i): i is WorkerInfo => i !== null);
}

/**
 * The leader's job: whenever a worker joins or leaves, or a topology is
 * deployed, changed or (de)activated, compute each topology's sticky
 * assignment and write it as a new generation. Runs only in the leader.
 */
export class Rebalancer {
  private scheduled: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly specWatches = new Set<string>();
  private readonly forced = new Map<string, number>();
  private readonly unwatch: Array<() => void> = [];
  private failing = false;

  constructor(
    private readonly zk: ZkClient,
    private readonly leaderId: string,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    // Re-arming watches: a call lost while ZooKeeper was away is tried again, never dropped.
    this.unwatch.push(this.zk.watchChildren('workers', () => this.schedule()));
    this.unwatch.push(
      this.zk.watchChildren('topologies', (names) => {
        for (const name of names ?? []) {
          if (this.specWatches.has(name)) continue;
          this.specWatches.add(name);
          this.unwatch.push(this.zk.watchData(`topologies/${name}`, () => this.schedule()));
        }
        this.schedule();
      }),
    );
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.scheduled) clearTimeout(this.scheduled);
    for (const unwatch of this.unwatch) unwatch();
  }

  /** Coalesces bursts of changes (a worker restart is a leave and a join) into one rebalance. */
  private schedule(): void {
    if (this.stopped) return;
    if (this.scheduled) clearTimeout(this.scheduled);
    this.scheduled = setTimeout(() => {
      this.scheduled = null;
      void this.run();
    }, 50);
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.rebalance()
      .then(() => {
        if (this.failing) this.log.info('rebalance succeeded again');
        this.failing = false;
      })
      .catch((err: Error) => {
        // One line per run of failures (ZooKeeper away), not one every retry.
        if (!this.failing) this.log.warn({ err: err.message }, 'rebalance failed; retrying');
        this.failing = true;
        setTimeout(() => this.schedule(), 500);
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.schedule();
        }
      });
  }

  private async rebalance(): Promise<void> {
    const workers = await listWorkers(this.zk);
    const slots: WorkerSlot[] = workers.map((w) => ({ id: w.id, capacity: w.capacity ?? Infinity }));
    for (const spec of await listSpecs(this.zk)) {
      if (this.stopped) return;
      const previous = await readAssignment(this.zk, spec.name);
      const owners = spec.status === 'active' ? stickyAssignment(spec.partitions, slots, previous?.assignment.partitions) : {};
      const requested = (spec as { rebalanceRequestedAt?: number }).rebalanceRequestedAt ?? 0;
      const force = requested > (this.forced.get(spec.name) ?? 0) && requested > (previous?.assignment.updatedAt ?? 0);
      const next = await writeAssignment(this.zk, spec.name, owners, this.leaderId, force, spec.version, spec.firstGeneration);
      this.forced.set(spec.name, requested);
      if (next.generation !== previous?.assignment.generation) {
        this.log.info({ topology: spec.name, generation: next.generation, workers: slots.length }, 'assignment written');
      }
    }
  }
}
