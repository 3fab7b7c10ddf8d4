import { describe, expect, it } from 'vitest';
import { aggregateTab, mergeProjections, superAggregate } from '../../state/aggregate';
import { defaultRegistry, HandlerRegistry } from '../../tabs/handlers/registry';
import type { TabEvent } from '../../tabs/event';
import type { TabHandler } from '../../tabs/handlers/handler';

const NOW = 1_700_000_000_000;
const registry = defaultRegistry();

function project(type: string, values: Array<number | string>, client: string, now = NOW): unknown {
  const handler = registry.get(type)!;
  const state = handler.newState();
  values.forEach((value, i) => handler.fold(state, { tab: 'winning_bid_price', type, value, time: now - i * 1_000, client }));
  return handler.project(state, now);
}

describe('aggregates', () => {
  it('merges the clients of a percentile Tab and renders it Taba-style', () => {
    const projections = ['bidder-1', 'bidder-2', 'bidder-3'].map((client, c) => project('percentile', [0.25 + c, 0.5 + c, 0.75 + c], client));
    const aggregate = aggregateTab('winning_bid_price', 'percentile', projections, registry);
    expect(Object.keys(aggregate)).toEqual(['name', 'type', 'clients', '1m', '10m', '1h', '1d', 'all', 'percentiles']);
    expect(aggregate).toMatchObject({
      name: 'winning_bid_price',
      type: 'percentile',
      clients: 3,
      '10m': { count: 9, total: 13.5, average: 1.5 },
      all: { count: 9, total: 13.5, average: 1.5 },
    });
    const percentiles = aggregate.percentiles as Record<string, Record<string, number>>;
    expect(Object.keys(percentiles)).toEqual(['1m', '10m', '1h', '1d', 'all']);
    expect(Object.keys(percentiles['10m'])).toEqual(['p25', 'p50', 'p75', 'p90', 'p95', 'p99', 'p99.9']);
    expect(Math.abs(percentiles['10m'].p50 - 1.5) / 1.5).toBeLessThanOrEqual(0.01);
    expect(JSON.parse(JSON.stringify(aggregate))).toEqual(aggregate);
  });

  it('renders every built-in type with an all window, even with no clients', () => {
    for (const type of registry.types()) {
      const aggregate = aggregateTab('t', type, [], registry);
      expect(aggregate.clients).toBe(0);
      expect(aggregate).toHaveProperty('all');
    }
  });

  it('super-aggregates Tabs of one type from their merged projections', () => {
    const home = mergeProjections('counter', [project('counter', [1, 1], 'a'), project('counter', [1], 'b')], registry);
    const blog = mergeProjections('counter', [project('counter', [5], 'a')], registry);
    const pages = superAggregate('page_views:*', 'counter', [home, blog], registry);
    expect(pages).toMatchObject({ name: 'page_views:*', type: 'counter', tabs: 2, all: { count: 4, total: 8, average: 2 } });
    expect(pages).not.toHaveProperty('clients');
  });

  it('counts distinct values across clients without double counting shared ones', () => {
    const a = project('unique', ['u1', 'u2', 'u3'], 'a');
    const b = project('unique', ['u2', 'u3', 'u4'], 'b');
    expect(aggregateTab('users', 'unique', [a, b], registry).all).toEqual({ count: 6, distinct: 4 });
  });

  it('fails clearly for a type nobody registered', () => {
    expect(() => aggregateTab('t', 'histogram', [], registry)).toThrow(/no handler registered for type 'histogram'/);
  });

  it('serves a type a user registered, without touching anything else', () => {
    // A "max" type in a dozen lines: the largest value ever recorded.
    const maxHandler: TabHandler<{ max: number | null }, { max: number | null }> = {
      type: 'max',
      valueKind: 'number',
      newState: () => ({ max: null }),
      fold: (s, e: TabEvent) => void (s.max = s.max === null ? (e.value as number) : Math.max(s.max, e.value as number)),
      project: (s) => ({ ...s }),
      merge: (a, b) => ({ max: a.max === null ? b.max : b.max === null ? a.max : Math.max(a.max, b.max) }),
      render: (p) => ({ all: { max: p.max } }),
      shouldPrune: (s) => s.max === null,
      serialize: (s) => Uint8Array.from(Buffer.from(`\u0001${JSON.stringify(s)}`)),
      deserialize: (bytes) => JSON.parse(Buffer.from(bytes.subarray(1)).toString()),
    };
    const withMax = new HandlerRegistry().register(maxHandler);
    expect(withMax.types()).toEqual(['max']);
    expect(() => withMax.register({ ...maxHandler })).toThrow(/already registered/);
    expect(() => new HandlerRegistry().register({ ...maxHandler, type: 'bad type' })).toThrow(TypeError);
    const s1 = maxHandler.newState();
    const s2 = maxHandler.newState();
    maxHandler.fold(s1, { tab: 'm', type: 'max', value: 3, time: NOW, client: 'a' });
    maxHandler.fold(s2, { tab: 'm', type: 'max', value: 9, time: NOW, client: 'b' });
    expect(aggregateTab('m', 'max', [maxHandler.project(s1, NOW), maxHandler.project(s2, NOW)], withMax)).toEqual({
      name: 'm',
      type: 'max',
      clients: 2,
      all: { max: 9 },
    });
  });
});
