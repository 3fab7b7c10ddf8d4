import { describe, expect, it } from 'vitest';
import { bootstrapBrokers } from '../../client/bootstrap-brokers';
import { TabClient } from '../../client';

describe("TabClient's brokers", () => {
  it('come from the option, else TABSTREAM_BROKERS, else the local stack', () => {
    const env = { TABSTREAM_BROKERS: 'k1:9092, k2:9092' };
    expect(bootstrapBrokers(['a:1'], env)).toEqual(['a:1']);
    expect(bootstrapBrokers('a:1, b:2,', env)).toEqual(['a:1', 'b:2']);
    expect(bootstrapBrokers(undefined, env)).toEqual(['k1:9092', 'k2:9092']);
    expect(bootstrapBrokers(undefined, {})).toEqual(['127.0.0.1:9092']);
    expect(bootstrapBrokers(undefined, { TABSTREAM_BROKERS: '' })).toEqual(['127.0.0.1:9092']);
  });

  it('refuse a list that names none', () => {
    expect(() => bootstrapBrokers([], {})).toThrow('brokers must name at least one Kafka broker, host:port, got []');
    expect(() => bootstrapBrokers(' , ', {})).toThrow(/got " , "/);
    expect(() => new TabClient({ brokers: '', clientId: 'c' })).toThrow(/brokers must name at least one Kafka broker/);
  });
});
