// The reader's prefetch queue: one batch handled at a time; a partition's
// batches that piled up behind others are handed over with its next turn, in
// order; back-pressure by bytes, counting the batch being handled.
import { describe, expect, it } from 'vitest';
import { PrefetchQueue } from '../../spouts/prefetch-queue';
import type { InputRecord } from '../../contracts/input-consumer';

const record = (offset: number, bytes = 10): InputRecord => ({ offset: String(offset), key: null, value: Buffer.alloc(bytes), timestamp: '0' });

function recorder() {
  const handled: Array<{ partition: number; offsets: string[] }> = [];
  let release: (() => void) | null = null;
  let blocked = true;
  const handle = async (_topic: string, partition: number, records: InputRecord[]) => {
    handled.push({ partition, offsets: records.map((r) => r.offset) });
    if (blocked) await new Promise<void>((r) => (release = r));
  };
  const unblock = () => {
    blocked = false;
    release?.();
  };
  return { handled, handle, unblock };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('PrefetchQueue', () => {
  it("hands a partition's batches queued behind others over with its next turn, each partition in order", async () => {
    const { handled, handle, unblock } = recorder();
    const queue = new PrefetchQueue(handle, 1_000_000);
    await queue.push('t', 0, [record(0)]); // handled at once, and held there
    await queue.push('t', 1, [record(100)]);
    await queue.push('t', 0, [record(1), record(2)]);
    await queue.push('t', 1, [record(101)]);
    await queue.push('t', 0, [record(3)]);
    await queue.push('u', 0, [record(7)]); // another topic's partition 0: a partition of its own
    unblock();
    for (let i = 0; i < 10; i++) await tick();
    expect(handled).toEqual([
      { partition: 0, offsets: ['0'] },
      { partition: 1, offsets: ['100', '101'] },
      { partition: 0, offsets: ['1', '2', '3'] },
      { partition: 0, offsets: ['7'] },
    ]);
    await queue.stop();
  });

  it('keeps a push waiting while the queued bytes, the batch being handled included, are over the bound', async () => {
    const { handled, handle, unblock } = recorder();
    const queue = new PrefetchQueue(handle, 100);
    await queue.push('t', 0, [record(0, 80)]);
    let pushed = false;
    const second = queue.push('t', 1, [record(1, 80)]).then(() => (pushed = true));
    for (let i = 0; i < 5; i++) await tick();
    expect(pushed).toBe(false);
    unblock();
    await second;
    expect(pushed).toBe(true);
    for (let i = 0; i < 5; i++) await tick();
    expect(handled.map((h) => h.offsets)).toEqual([['0'], ['1']]);
    await queue.stop();
  });

  it('drops what is queued on stop and hands nothing over after it', async () => {
    const { handled, handle, unblock } = recorder();
    const queue = new PrefetchQueue(handle, 1_000_000);
    await queue.push('t', 0, [record(0)]);
    await queue.push('t', 1, [record(1)]);
    const stopped = queue.stop();
    unblock();
    await stopped;
    await queue.push('t', 2, [record(2)]);
    for (let i = 0; i < 5; i++) await tick();
    expect(handled.map((h) => h.offsets)).toEqual([['0']]);
  });
});
