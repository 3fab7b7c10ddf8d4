import { describe, expect, it } from 'vitest';
import { DEFAULT_PARTITIONS, topicPartitions } from '../../topology/runtime/ensure-topics';

describe('topicPartitions: a topology has its topic’s partitions', () => {
  it('creates a missing topic with what was asked, else 8', () => {
    expect(topicPartitions('tabs', 4, null)).toBe(4);
    expect(topicPartitions('tabs', undefined, null)).toBe(DEFAULT_PARTITIONS);
    expect(DEFAULT_PARTITIONS).toBe(8);
  });

  it('takes an existing topic’s count when nothing or the same is asked', () => {
    expect(topicPartitions('tabs', undefined, 3)).toBe(3);
    expect(topicPartitions('tabs', 3, 3)).toBe(3);
  });

  it('refuses another count for an existing topic, in one line saying what to do', () => {
    expect(() => topicPartitions('tabs', 4, 8)).toThrow(
      "--partitions 4: the topic tabs exists with 8 partitions, and a topology's partitions are its topic's: drop --partitions, or deploy on a new --topic",
    );
  });
});
