import { describe, expect, it } from 'vitest';
import { batchValue, TabBatchQueue } from '../../client/tab-batch-queue';

const event = (tab: string, n: number) => JSON.stringify({ tab, type: 'counter', value: n, time: 1, client: 'c' });
const values = (json: string) => (JSON.parse(json) as { value: number }[]).map((e) => e.value);

describe('TabBatchQueue', () => {
  it('reports a Tab full at maxBatchEvents and cuts batches of that size, oldest first', () => {
    const queue = new TabBatchQueue({ maxBatchEvents: 3, maxBatchBytes: 1 << 20 });
    expect(queue.add('bids', event('bids', 0))).toBe(false);
    expect(queue.add('bids', event('bids', 1))).toBe(false);
    expect(queue.add('bids', event('bids', 2))).toBe(true);
    queue.add('bids', event('bids', 3));
    queue.add('wins', event('wins', 9));

    const full = queue.take('full', 1 << 20);
    expect(full.map((b) => [b.tab, values(batchValue(b))])).toEqual([['bids', [0, 1, 2]]]);
    expect(queue.buffered).toBe(5); // in flight still counts

    const rest = queue.take('all', 1 << 20);
    expect(rest.map((b) => [b.tab, values(batchValue(b))])).toEqual([
      ['wins', [9]],
      ['bids', [3]],
    ]);
    expect(queue.acked([...full, ...rest])).toBe(5);
    expect(queue.buffered).toBe(0);
    expect(queue.oldestSeq()).toBeUndefined();
  });

  it('cuts a batch by bytes and reports its exact message size', () => {
    const one = event('bids', 1);
    const bytes = Buffer.byteLength(one);
    const queue = new TabBatchQueue({ maxBatchEvents: 100, maxBatchBytes: 2 + 3 * bytes + 2 });
    for (let i = 0; i < 7; i++) queue.add('bids', one);
    const batches = queue.take('all', 1 << 20);
    expect(batches.map((b) => b.events.length)).toEqual([3, 3, 1]);
    for (const b of batches) expect(b.bytes).toBe(Buffer.byteLength(batchValue(b)));
  });

  it('keeps an oversized single event as a batch of one', () => {
    const queue = new TabBatchQueue({ maxBatchEvents: 10, maxBatchBytes: 10 });
    queue.add('bids', event('bids', 1));
    expect(queue.take('all', 1 << 20).map((b) => b.events.length)).toEqual([1]);
  });

  it('limits a request by bytes but always takes one batch, serving Tabs round-robin', () => {
    const queue = new TabBatchQueue({ maxBatchEvents: 2, maxBatchBytes: 1 << 20 });
    for (let i = 0; i < 6; i++) queue.add('hot', event('hot', i));
    queue.add('cold', event('cold', 100));
    const firstBatchBytes = 2 + 2 * Buffer.byteLength(event('hot', 0)) + 1;
    const first = queue.take('all', firstBatchBytes);
    expect(first.map((b) => b.tab)).toEqual(['hot']);
    const second = queue.take('all', 1); // budget too small: still one batch
    expect(second.map((b) => b.tab)).toEqual(['cold']);
    const rest = queue.take('all', 1 << 20);
    expect(rest.map((b) => values(batchValue(b)))).toEqual([[2, 3], [4, 5]]);
  });

  it('puts failed batches back in front, in order, and counts their events as failed until acked', () => {
    const queue = new TabBatchQueue({ maxBatchEvents: 2, maxBatchBytes: 1 << 20 });
    for (let i = 0; i < 5; i++) queue.add('bids', event('bids', i));
    const failed = queue.take('full', 1 << 20);
    expect(failed.map((b) => values(batchValue(b)))).toEqual([[0, 1], [2, 3]]);
    expect(queue.requeue(failed)).toBe(4);
    expect(queue.failed).toBe(4);
    expect(queue.buffered).toBe(5);
    expect(queue.oldestSeq()).toBe(0);

    const retried = queue.take('all', 1 << 20);
    expect(retried.map((b) => values(batchValue(b)))).toEqual([[0, 1], [2, 3], [4]]);
    expect(queue.requeue(retried.slice(0, 1))).toBe(2); // fails again: not counted twice
    expect(queue.failed).toBe(4);
    queue.acked(retried.slice(1));
    expect(queue.failed).toBe(2);
    expect(queue.buffered).toBe(2);
    queue.acked(queue.take('all', 1 << 20));
    expect(queue.failed).toBe(0);
    expect(queue.buffered).toBe(0);
  });

  it('tracks the oldest buffered event across queued and in-flight batches', () => {
    const queue = new TabBatchQueue({ maxBatchEvents: 10, maxBatchBytes: 1 << 20 });
    queue.add('a', event('a', 0));
    queue.add('b', event('b', 1));
    expect(queue.nextSeq).toBe(2);
    const [a] = queue.take('all', 1);
    queue.add('a', event('a', 2));
    expect(queue.oldestSeq()).toBe(0);
    queue.acked([a]);
    expect(queue.oldestSeq()).toBe(1);
    expect(queue.acked([a])).toBe(0); // acking twice changes nothing
  });
});
