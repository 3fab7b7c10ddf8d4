import { describe, expect, it } from 'vitest';
import { EventMix } from '../../client/event-mix';

const WIRE_NAME = /^[A-Za-z0-9_.:/-]{1,200}$/;

describe('EventMix', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = new EventMix({ seed: 42 }).take(2000);
    const b = new EventMix({ seed: 42 }).take(2000);
    const c = new EventMix({ seed: 43 }).take(2000);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('covers every Tab type, dozens of Tabs and every client with wire-valid names', () => {
    const mix = new EventMix({ seed: 7, clients: 5 });
    const events = mix.take(20_000);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['counter', 'gauge', 'percentile', 'unique', 'buffer']));
    expect(new Set(events.map((e) => e.tab)).size).toBeGreaterThanOrEqual(36);
    expect(new Set(events.map((e) => e.client))).toEqual(new Set(['bidder-1', 'bidder-2', 'bidder-3', 'bidder-4', 'bidder-5']));
    for (const tab of ['bids', 'winning_bid_price', 'page_views:/home', 'unique_users']) {
      expect(events.some((e) => e.tab === tab)).toBe(true);
    }
    const invalid = events.filter(
      (e) =>
        !WIRE_NAME.test(e.tab) ||
        !WIRE_NAME.test(e.client) ||
        (e.type === 'unique' ? typeof e.value !== 'string' : !Number.isFinite(e.value)) ||
        (e.type === 'counter' && !Number.isInteger(e.value)),
    );
    expect(invalid).toEqual([]);
  });

  it('is skewed: bids outnumber errors, /home outnumbers /blog', () => {
    const byTab = new Map<string, number>();
    for (const e of new EventMix({ seed: 3 }).take(20_000)) byTab.set(e.tab, (byTab.get(e.tab) ?? 0) + 1);
    expect(byTab.get('bids')!).toBeGreaterThan(10 * (byTab.get('errors') ?? 0));
    expect(byTab.get('page_views:/home')!).toBeGreaterThan(3 * (byTab.get('page_views:/blog') ?? 0));
  });

  it('records exact counter totals, per client too, matching what it produced', () => {
    const mix = new EventMix({ seed: 11, clients: 3 });
    const events = mix.take(10_000);
    const expectTotals = (include: (client: string) => boolean) => {
      const totals = new Map<string, { count: number; total: number }>();
      for (const e of events) {
        if (e.type !== 'counter' || !include(e.client)) continue;
        const t = totals.get(e.tab) ?? { count: 0, total: 0 };
        t.count++;
        t.total += e.value as number;
        totals.set(e.tab, t);
      }
      return totals;
    };
    expect(mix.expectedCounters()).toEqual(expectTotals(() => true));
    expect(mix.expectedCounters((c) => c === 'bidder-2')).toEqual(expectTotals((c) => c === 'bidder-2'));
    expect(mix.count).toBe(10_000);
    expect([...mix.eventsByTab().values()].reduce((a, b) => a + b, 0)).toBe(10_000);
  });

  it('records the last gauge value per client and exact distinct counts', () => {
    const mix = new EventMix({ seed: 5 });
    const events = mix.take(5000);
    const lastQueueDepth = events.filter((e) => e.tab === 'queue_depth' && e.client === 'bidder-1').at(-1);
    expect(mix.expectedGauges().get('queue_depth')?.get('bidder-1')).toBe(lastQueueDepth?.value);
    const users = new Set(events.filter((e) => e.tab === 'unique_users').map((e) => e.value));
    expect(mix.expectedDistinct().get('unique_users')).toBe(users.size);
  });

  it('rejects a client count that is not a positive integer', () => {
    expect(() => new EventMix({ clients: 0 })).toThrow(RangeError);
  });
});
