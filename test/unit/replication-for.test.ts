import { describe, expect, it } from 'vitest';
import { replicationFor } from '../../topology/runtime/ensure-topics';

describe('replicationFor', () => {
  it('gives what the cluster supports when nothing is asked', () => {
    expect(replicationFor(1)).toEqual({});
    expect(replicationFor(2)).toEqual({ replicas: 2 });
    expect(replicationFor(3)).toEqual({ replicas: 3, configs: { 'min.insync.replicas': '2' } });
    expect(replicationFor(5)).toEqual({ replicas: 3, configs: { 'min.insync.replicas': '2' } });
  });

  it('gives what the operator asked for, within what the cluster can hold', () => {
    expect(replicationFor(5, { replicas: 5, minInsyncReplicas: 3 })).toEqual({ replicas: 5, configs: { 'min.insync.replicas': '3' } });
    expect(replicationFor(3, { replicas: 2 })).toEqual({ replicas: 2 });
    expect(replicationFor(3, { minInsyncReplicas: 1 })).toEqual({ replicas: 3, configs: { 'min.insync.replicas': '1' } });
    expect(replicationFor(1, { replicas: 1 })).toEqual({ replicas: 1 });
  });

  it('refuses, in one line, more replicas than brokers or a min ISR above the replicas', () => {
    expect(() => replicationFor(3, { replicas: 4 })).toThrow(/cannot have more replicas than brokers/);
    expect(() => replicationFor(3, { replicas: 2, minInsyncReplicas: 3 })).toThrow(/no write could ever be acknowledged/);
  });
});
