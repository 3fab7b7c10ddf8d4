import type { ZkClient } from './zk-client';

/**
 * Leader election with ephemeral sequential znodes under `leader/`: the
 * lowest sequence number leads. When its session ends its node vanishes and
 * the next in line is told. (Every member watches the children; with a
 * handful of workers the herd is small and the code stays simple.)
 */
export class LeaderElection {
  private node: string | null = null;
  private leading = false;
  private closed = false;

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
    await this.check();
  }

  close(): void {
    this.closed = true;
  }

  private async check(): Promise<void> {
    if (this.closed || this.node === null) return;
    const children = await this.zk.children('leader', () => void this.check().catch(() => {}));
    const mine = this.node.split('/').pop()!;
    const first = [...children].sort()[0];
    if (first === mine && !this.leading) {
      this.leading = true;
      this.onElected();
    }
  }
}
