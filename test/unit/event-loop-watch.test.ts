import pino from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EventLoopWatch } from '../../topology/runtime/event-loop-watch';

function capture(): { log: pino.Logger; lines: Array<{ msg: string; ms: number }> } {
  const lines: Array<{ msg: string; ms: number }> = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  return { log: pino(sink), lines };
}

function block(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) { /* a synchronous stall */ }
}

describe('EventLoopWatch', () => {
  it('says how long the loop stood still when it blocks past the threshold, and nothing for short stalls', async () => {
    const { log, lines } = capture();
    const watch = new EventLoopWatch(log, 300, 20);
    watch.start();
    await new Promise((r) => setTimeout(r, 60));
    block(100);
    await new Promise((r) => setTimeout(r, 60));
    expect(lines).toEqual([]);
    block(450);
    await new Promise((r) => setTimeout(r, 60));
    watch.stop();
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toMatch(/event loop stood still/);
    expect(lines[0]!.ms).toBeGreaterThanOrEqual(300);
    expect(lines[0]!.ms).toBeLessThan(1000);
    expect(watch.longestMs).toBe(lines[0]!.ms);
  });
});
