// The reader's prefetch queue: each partition number's batches (of every
// topic: one task's) handled one at a time and in order, different numbers'
// side by side; a partition's
// batches that piled up meanwhile handed over with its next turn;
// back-pressure by bytes, counting the batches being handled.
import { describe, expect, it } from 'vitest';
import { PrefetchQueue } from '../../spouts/prefetch-queue';
import type { InputRecord } from '../../contracts/input-consumer';

const record = (offset: number, bytes = 10): InputRecord => ({ offset: String(offset), key: null, value: Buffer.alloc(bytes), timestamp: '0' });

/** A handler that holds every batch until `unblock` (and none after it), logging what it was handed and what is being handled. */
function recorder() {
  const handled: Array<{ topic: string; partition: number; offsets: string[] }> = [];
  const releases: Array<() => void> = [];
  let blocked = true;
  let inFlight = 0;
  let mostInFlight = 0;
  const handle = async (topic: string, partition: number, records: InputRecord[]) => {
    handled.push({ topic, partition, offsets: records.map((r) => r.offset) });
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    if (blocked) await new Promise<void>((r) => releases.push(r));
    inFlight--;
  };
  const unblock = () => {
    blocked = false;
    for (const r of releases.splice(0)) r();
  };
  return { handled, handle, unblock, mostInFlight: () => mostInFlight };
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};

describe('PrefetchQueue', () => {
  it("handles partition numbers side by side, each number's batches (of any topic) one at a time, a partition's queued batches together with its next turn", async () => {
    const { handled, handle, unblock, mostInFlight } = recorder();
    const queue = new PrefetchQueue(handle, 1_000_000);
    await queue.push('t', 0, [record(0)]); // handled at once, and held there
    await queue.push('t', 1, [record(100)]); // another partition: not held back by the first
    await queue.push('t', 0, [record(1), record(2)]);
    await queue.push('t', 1, [record(101)]);
    await queue.push('t', 0, [record(3)]);
    await queue.push('u', 0, [record(7)]); // another topic's partition 0: the same task's, so it waits its turn too
    await queue.push('t', 0, [record(4)]);
    expect(handled).toEqual([
      { topic: 't', partition: 0, offsets: ['0'] },
      { topic: 't', partition: 1, offsets: ['100'] },
    ]);
    unblock();
    await settle();
    expect(handled.slice(2)).toEqual([
      { topic: 't', partition: 0, offsets: ['1', '2', '3', '4'] },
      { topic: 't', partition: 1, offsets: ['101'] },
      { topic: 'u', partition: 0, offsets: ['7'] },
    ]);
    expect(mostInFlight()).toBe(2);
    await queue.stop();
  });

  it('keeps a push waiting while the queued bytes, the batches being handled included, are over the bound', async () => {
    const { handled, handle, unblock } = recorder();
    const queue = new PrefetchQueue(handle, 100);
    await queue.push('t', 0, [record(0, 80)]);
    let pushed = false;
    const second = queue.push('t', 1, [record(1, 80)]).then(() => (pushed = true));
    await settle();
    expect(pushed).toBe(false);
    unblock();
    await second;
    expect(pushed).toBe(true);
    await settle();
    expect(handled.map((h) => h.offsets)).toEqual([['0'], ['1']]);
    await queue.stop();
  });

  it('drops what is queued on stop, waits for the batches being handled, and hands nothing over after it', async () => {
    const { handled, handle, unblock } = recorder();
    const queue = new PrefetchQueue(handle, 1_000_000);
    await queue.push('t', 0, [record(0)]);
    await queue.push('t', 0, [record(1)]);
    let stopped = false;
    const stopping = queue.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    unblock();
    await stopping;
    await queue.push('t', 2, [record(2)]);
    await settle();
    expect(handled.map((h) => h.offsets)).toEqual([['0']]);
  });

  it('hands a failure of a handling to the next push', async () => {
    const queue = new PrefetchQueue(() => Promise.reject(new Error('boom')), 1_000_000);
    await queue.push('t', 0, [record(0)]);
    await settle();
    await expect(queue.push('t', 0, [record(1)])).rejects.toThrow('boom');
    await queue.stop();
  });
});
