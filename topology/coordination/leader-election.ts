import type { ZkClient } from './zk-client';

/**
 * Leader election with ephemeral sequential znodes under `leader/`: the
 * lowest sequence number leads. When its session ends its node vanishes and
 * the next in line is told. (Every member watches the children; with a
 * handful of workers the herd is small and the code stays simple.) The watch
 * re-arms itself through lost connections (ZkClient.watchChildren), so a
 * call that failed while ZooKeeper was away never leaves a member deaf.
 */
export class LeaderElection {
  private node: string | null = null;
  private leading = false;
  private closed = false;
  private unwatch: (() => void) | null = null;

  constructor(
    private readonly zk: ZkClient,
    private readonly id: string,
    private readonly onElected: () => void,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  async start(): Promise<void> {
    this.node = await this.zk.createEphemeralSequential('leader/n_', Buffer.from(this.id));
    const mine = this.node.split('/').pop()!;
    this.unwatch = this.zk.watchChildren('leader', (children) => {
      if (this.closed || children === null || this.leading) return;
      if ([...children].sort()[0] === mine) {
        this.leading = true;
        this.onElected();
      }
    });
  }

  close(): void {
    this.closed = true;
    this.unwatch?.();
  }
}
