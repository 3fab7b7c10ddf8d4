// TabClient's record path before any Kafka I/O: validation, ids, overflow.
// The client is never connected, so nothing leaves the process.
import { describe, expect, it } from 'vitest';
import { BufferOverflowError, TabClient } from '../../client';
import { EventIdGenerator } from '../../client/event-ids';

const client = (options: Partial<ConstructorParameters<typeof TabClient>[0]> = {}) =>
  new TabClient({ brokers: '127.0.0.1:1', clientId: 'bidder-1', ...options });

describe('TabClient names', () => {
  it('rejects a bad client id or Tab name when created, naming the rule', () => {
    expect(() => client({ clientId: 'bidder 1' })).toThrow(/client id "bidder 1".*A-Z a-z 0-9 _ \. : \/ -/);
    expect(() => client({ clientId: '' })).toThrow(TypeError);
    const c = client();
    expect(() => c.counter('bids!')).toThrow(/Tab name "bids!"/);
    expect(() => c.gauge('x'.repeat(201))).toThrow(TypeError);
    expect(() => c.tab('bids', 'bad type')).toThrow(/Tab type/);
    expect(() => c.counter('page_views:/home')).not.toThrow();
    expect(() => c.percentile('x'.repeat(200))).not.toThrow();
  });

  it('returns the same recorder for the same Tab and type', () => {
    const c = client();
    expect(c.counter('bids')).toBe(c.counter('bids'));
    expect(c.tab('bids', 'counter')).toBe(c.counter('bids'));
    expect(c.gauge('bids')).not.toBe(c.counter('bids'));
  });

  it('rejects bad values and times on record', () => {
    const c = client();
    expect(() => c.gauge('g').record(Number.NaN)).toThrow(/finite number/);
    expect(() => c.percentile('p').record(Infinity)).toThrow(TypeError);
    expect(() => c.unique('u').record(42 as unknown as string)).toThrow(/must be a string/);
    expect(() => c.counter('bids').record(1, 1.5)).toThrow(/integer epoch milliseconds/);
    expect(() => c.tab('t', 'histogram').record('a')).not.toThrow();
    expect(() => c.tab('t', 'histogram').record({} as unknown as number)).toThrow(/number or a string/);
    expect(c.stats().recorded).toBe(1);
  });

  it('rejects a non-positive limit', () => {
    expect(() => client({ maxBatchEvents: 0 })).toThrow(RangeError);
    expect(() => client({ flushIntervalMs: -5 })).toThrow(RangeError);
  });
});

describe('TabClient overflow', () => {
  it("throws BufferOverflowError past maxBufferedEvents with onOverflow 'error'", () => {
    const c = client({ maxBufferedEvents: 3 });
    for (let i = 0; i < 3; i++) c.counter('bids').record();
    const error = (() => {
      try {
        c.counter('bids').record();
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(BufferOverflowError);
    expect((error as BufferOverflowError).maxBufferedEvents).toBe(3);
    expect(c.stats()).toEqual({ recorded: 3, sent: 0, dropped: 0, buffered: 3, failed: 0, batchesSent: 0, sendErrors: 0 });
  });

  it("drops and counts past maxBufferedEvents with onOverflow 'drop'", () => {
    const c = client({ maxBufferedEvents: 3, onOverflow: 'drop' });
    for (let i = 0; i < 10; i++) c.percentile('winning_bid_price').record(0.233);
    expect(c.stats()).toMatchObject({ recorded: 3, dropped: 7, buffered: 3 });
  });

  it('refuses to close with events it never sent', async () => {
    const c = client();
    c.counter('bids').record();
    await expect(c.close()).rejects.toThrow(/1 events recorded but never connected/);
    await expect(c.flush()).rejects.toThrow(/connect\(\) first/);
  });
});

describe('EventIdGenerator', () => {
  it('makes ids unique within and across generators, at most 128 chars even for a 200-char client id', () => {
    const longClient = 'c'.repeat(200);
    const a = new EventIdGenerator(longClient);
    const b = new EventIdGenerator(longClient);
    const ids = new Set<string>();
    for (let i = 0; i < 50_000; i++) {
      ids.add(a.next());
      ids.add(b.next());
    }
    expect(ids.size).toBe(100_000);
    expect(Math.max(...[...ids].map((id) => id.length))).toBeLessThanOrEqual(128);
    expect(new EventIdGenerator('bidder-1').next()).toMatch(/^bidder-1\.[A-Za-z0-9_-]{12}\.0$/);
  });
});
