import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DedupWindow } from '../../bolts/dedup-window';

const MIN = 60_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % MIN);

describe('DedupWindow', () => {
  it('records a new id and reports its resend', () => {
    const w = new DedupWindow();
    expect(w.seen('a', T0)).toBe(false);
    expect(w.seen('a', T0)).toBe(true);
    expect(w.seen('a', T0 + 5 * MIN)).toBe(true);
    expect(w.size).toBe(1);
  });

  it('expires whole buckets as the latest event time advances past 10 minutes', () => {
    const w = new DedupWindow();
    w.seen('old', T0 + 59_999);
    w.seen('new', T0 + 10 * MIN - 1); // same window: bucket T0 is still live
    expect(w.liveBuckets()).toEqual([T0, T0 + 9 * MIN]);
    expect(w.expireBefore()).toBe(T0);
    w.seen('newer', T0 + 10 * MIN); // bucket T0 rolls out
    expect(w.liveBuckets()).toEqual([T0 + 9 * MIN, T0 + 10 * MIN]);
    expect(w.expireBefore()).toBe(T0 + MIN);
    expect(w.size).toBe(2);
    expect(w.seen('old', T0 + 10 * MIN)).toBe(false);
  });

  it('lets an id older than the window through unchecked and unrecorded', () => {
    const w = new DedupWindow();
    w.seen('x', T0 + 20 * MIN);
    expect(w.seen('late', T0)).toBe(false);
    expect(w.seen('late', T0)).toBe(false);
    expect(w.unchecked).toBe(2);
    expect(w.size).toBe(1);
  });

  it('stays within maxIds by evicting the oldest buckets early, and says so', () => {
    const w = new DedupWindow({ maxIds: 5 });
    for (let i = 0; i < 3; i++) w.seen(`a${i}`, T0);
    for (let i = 0; i < 2; i++) w.seen(`b${i}`, T0 + MIN);
    expect(w.size).toBe(5);
    expect(w.seen('c0', T0 + 2 * MIN)).toBe(false);
    expect(w.size).toBe(3);
    expect(w.evictions).toBe(3);
    expect(w.liveBuckets()).toEqual([T0 + MIN, T0 + 2 * MIN]);
    expect(w.expireBefore()).toBe(T0 + MIN);
    // the evicted bucket is now older than the window
    expect(w.seen('a0', T0)).toBe(false);
    expect(w.unchecked).toBe(1);
  });

  it('never grows past maxIds even when one bucket alone fills it', () => {
    const w = new DedupWindow({ maxIds: 3 });
    for (let i = 0; i < 10; i++) w.seen(`x${i}`, T0);
    expect(w.size).toBe(3);
    expect(w.unchecked).toBe(7);
    expect(w.seen('x0', T0)).toBe(true);
  });

  it('hands out what it recorded since the last call, once', () => {
    const w = new DedupWindow();
    w.seen('a', T0);
    w.seen('b', T0 + MIN + 1);
    w.seen('a', T0);
    expect(w.takeAdded()).toEqual(new Map([[T0, ['a']], [T0 + MIN, ['b']]]));
    expect(w.takeAdded()).toEqual(new Map());
  });

  it('does not hand out ids whose bucket expired before the checkpoint', () => {
    const w = new DedupWindow();
    w.seen('a', T0);
    w.seen('b', T0 + 30 * MIN);
    expect([...w.takeAdded().keys()]).toEqual([T0 + 30 * MIN]);
  });

  it('reloads persisted buckets so a resend after a takeover is still caught', () => {
    const first = new DedupWindow();
    const persisted = new Map<number, string[]>();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 9 * MIN })), { maxLength: 50 }), (items) => {
        for (const [id, dt] of items) first.seen(id, T0 + dt);
        for (const [bucket, ids] of first.takeAdded()) persisted.set(bucket, [...(persisted.get(bucket) ?? []), ...ids]);
        const second = new DedupWindow();
        for (const [bucket, ids] of persisted) second.load(bucket, ids);
        expect(second.size).toBe(first.size);
        expect(second.liveBuckets()).toEqual(first.liveBuckets());
        for (const [id, dt] of items) expect(second.seen(id, T0 + dt)).toBe(true);
        expect(second.takeAdded()).toEqual(new Map());
      }),
    );
  });

  it('rejects nonsensical options', () => {
    expect(() => new DedupWindow({ windowMs: 10, bucketMs: 3 })).toThrow();
    expect(() => new DedupWindow({ maxIds: 0 })).toThrow();
  });
});
