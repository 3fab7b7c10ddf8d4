import { describe, expect, it } from 'vitest';
import { parseBolt } from '../../bolts/parse-bolt';
import { defaultRegistry } from '../../tabs/handlers/registry';
import type { Tuple } from '../../contracts/bolt';
import type { TabTaskContext } from '../../bolts/tab-task-context';

interface DeadLetter {
  reason: string;
  message: string;
  payload: Tuple | Buffer | null;
}

function parse(options?: Parameters<typeof parseBolt>[0]) {
  const deadLetters: DeadLetter[] = [];
  const ctx: TabTaskContext = {
    topology: 't',
    component: 'parse',
    taskIndex: 0,
    registry: defaultRegistry(),
    deadLetter: (reason, message, payload) => void deadLetters.push({ reason, message, payload }),
    count: () => {},
    gauge: () => {},
  };
  const bolt = parseBolt(options).create(ctx);
  const run = (value: string | Buffer): Tuple[] => {
    const out: Tuple[] = [];
    bolt.execute({ key: null, value: Buffer.isBuffer(value) ? value : Buffer.from(value) }, (t) => void out.push(t));
    return out;
  };
  return { run, deadLetters };
}

const event = (change: Record<string, unknown> = {}) => JSON.stringify({ tab: 'bids', type: 'counter', value: 1, time: Date.now(), client: 'c', ...change });

describe('the parse bolt', () => {
  it('folds the valid events beside one nested 100k deep, and dead-letters that one as JSON evidence', () => {
    const depth = 100_000;
    const deep = '['.repeat(depth) + ']'.repeat(depth);
    const { run, deadLetters } = parse();
    const out = run(`[${event()},${deep},${event({ value: deep })},${event({ value: 2 })}]`);
    expect(out.map((t) => t.value)).toEqual([1, 2]);
    expect(deadLetters.map((d) => d.reason)).toEqual(['not-an-event', 'value-invalid']);
    for (const d of deadLetters) {
      expect(Buffer.isBuffer(d.payload)).toBe(true);
      const text = (d.payload as Buffer).toString();
      expect(text.startsWith(`{"index":`)).toBe(true);
      // Cut: kept to the dead letter's bound.
      expect(text.length).toBeLessThanOrEqual(256 * 1024 + 1);
    }
    expect((deadLetters[0]!.payload as Buffer).toString()).toMatch(/^\{"index":1,"event":\[\[\[/);
  });

  it('dead-letters the events of blocked Tabs as tab-blocked, naming the pattern, and lets the others through', () => {
    const { run, deadLetters } = parse({ blockedTabs: ['spam.*', 'debug'] });
    const out = run(`[${event({ tab: 'spam.a' })},${event({ tab: 'bids' })},${event({ tab: 'debug' })},${event({ tab: 'spam' })}]`);
    expect(out.map((t) => t.tab)).toEqual(['bids', 'spam']);
    expect(deadLetters.map((d) => [d.reason, d.message])).toEqual([
      ['tab-blocked', "tab 'spam.a' is blocked (pattern 'spam.*')"],
      ['tab-blocked', "tab 'debug' is blocked (pattern 'debug')"],
    ]);
    expect((deadLetters[0]!.payload as Tuple).tab).toBe('spam.a');
  });

  it('keeps a batch element it refuses whole, as {"index", "event"} JSON', () => {
    const { run, deadLetters } = parse();
    const bad = event({ tab: 'v_1 x' });
    run(`[${event()},${bad}]`);
    expect(deadLetters).toHaveLength(1);
    expect(JSON.parse((deadLetters[0]!.payload as Buffer).toString())).toEqual({ index: 1, event: JSON.parse(bad) });
  });

  it('refuses event times later than now + 1 h by default as time-in-future, and takes the tolerance it is given', () => {
    const now = Date.now();
    const { run, deadLetters } = parse();
    const out = run(`[${event({ time: now + 3_600_000 - 5_000 })},${event({ time: now + 3_600_000 + 60_000 })},${event({ time: 8e15 })}]`);
    expect(out).toHaveLength(1);
    expect(deadLetters.map((d) => d.reason)).toEqual(['time-in-future', 'time-in-future']);
    const strict = parse({ maxEventFutureMs: 1_000 });
    expect(strict.run(event({ time: now + 60_000 }))).toEqual([]);
    expect(strict.deadLetters.map((d) => d.reason)).toEqual(['time-in-future']);
    // Through the fast path (a plain single event) too.
    expect(strict.run(event({ time: now }))).toHaveLength(1);
  });
});
