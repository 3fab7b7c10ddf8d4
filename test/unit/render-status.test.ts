import { describe, expect, it } from 'vitest';
import { renderStatus, type TopologyStatus } from '../../topology/deploy/topology-status';

const partition = (p: number, worker: string | null): TopologyStatus['partitions'][number] => ({
  partition: p,
  worker,
  committedOffset: 10,
  endOffset: 10,
  lag: 0,
  watermark: 9,
  generation: 3,
  token: 4,
  events: 100,
  lastFlush: 1_000,
  stalled: null,
});

describe('status as text', () => {
  it('marks an owner the assignment still names but that left the cluster as gone', () => {
    const status = {
      spec: { name: 'taba', status: 'active', version: 1, options: { topic: 'tabs' }, partitions: 3 },
      generation: 3,
      leader: 'w1',
      workers: [{ id: 'w1', host: 'h', pid: 1, capacity: null, startedAt: 0, version: '0.1.0' }],
      partitions: [partition(0, 'w1'), partition(1, 'w2'), partition(2, null)],
      totalLag: 0,
      unavailable: [],
    } as unknown as TopologyStatus;
    const rows = renderStatus(status, 2_000).split('\n').slice(3);
    expect(rows[0]).toMatch(/^\s+0  w1\s{2,}/);
    expect(rows[1]).toMatch(/^\s+1  w2 \(gone\)\s{2,}/);
    expect(rows[2]).toMatch(/^\s+2  -\s{2,}/);
  });
});
