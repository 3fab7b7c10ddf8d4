// 100k random and mutated messages through the decoder: nothing escapes,
// every message is accounted for event by event, every rejection has a known
// reason, and every event it lets through decodes again to itself.
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../client/seeded-random';
import fc from 'fast-check';
import { decodeMessage } from '../../bolts/wire';
import { defaultRegistry } from '../../tabs/handlers/registry';
import { REJECT_REASONS } from '../../bolts/rejection';

const registry = defaultRegistry();
const reasons = new Set<string>(REJECT_REASONS);
const TYPES = ['counter', 'gauge', 'percentile', 'unique', 'buffer', 'histogram', 'Counter', ''];

function fuzzCases(count: number, seed: number): Array<Buffer | string | null> {
  const rng = new SeededRandom(seed);
  const random = () => rng.next();
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  const jsonValues = fc.sample(fc.jsonValue({ maxDepth: 3 }), { numRuns: 2_000, seed });
  const oddValues: unknown[] = [null, true, -1, 0, 1.5, 1e308, -0, '', 'x y', '1700000000000', [], {}, 'a'.repeat(300), '\u0000', '😀', ...jsonValues.slice(0, 50)];

  const validEvent = () => {
    const type = pick(TYPES.slice(0, 5));
    const event: Record<string, unknown> = {
      tab: pick(['bids', 'page_views:/home', 'a/b.c-d_e', 'x']),
      type,
      value: type === 'unique' ? `u${int(100)}` : type === 'buffer' && random() < 0.5 ? 'text' : random() * 100 - 20,
      time: 1_700_000_000_000 + int(1e6),
      client: pick(['bidder-1', 'c', 'node:7']),
    };
    if (random() < 0.5) event.id = `id-${int(1e9)}`;
    return event;
  };
  const mutateEvent = (event: Record<string, unknown>) => {
    const field = pick(['tab', 'type', 'value', 'time', 'client', 'id', 'extra']);
    const roll = random();
    if (roll < 0.3) delete event[field];
    else if (roll < 0.6) event[field] = pick(oddValues);
    else if (roll < 0.8) event[field] = pick(jsonValues);
    else if (field === 'type') event.type = pick(TYPES);
    return event;
  };
  const mutateText = (text: string) => {
    const chars = [...text];
    const edits = 1 + int(4);
    for (let e = 0; e < edits && chars.length > 0; e++) {
      const at = int(chars.length);
      const roll = random();
      if (roll < 0.3) chars.splice(at, 1);
      else if (roll < 0.6) chars.splice(at, 0, pick(['"', '{', '}', '[', ']', ',', ':', '\\', '0', 'e', '-', ' ', '\u0000', 'é']));
      else if (roll < 0.8) chars.length = at;
      else chars[at] = String.fromCharCode(int(0x80));
    }
    return chars.join('');
  };
  const mutateBytes = (bytes: Buffer) => {
    const out = Buffer.from(bytes);
    for (let e = 0; e < 1 + int(3) && out.length > 0; e++) out[int(out.length)] = int(256);
    return out;
  };

  const cases: Array<Buffer | string | null> = [];
  for (let i = 0; i < count; i++) {
    const kind = int(8);
    const batch = () => Array.from({ length: int(6) }, () => (random() < 0.6 ? validEvent() : mutateEvent(validEvent())));
    if (kind === 0) cases.push(Buffer.from(Array.from({ length: int(80) }, () => int(256))));
    else if (kind === 1) cases.push(JSON.stringify(pick(jsonValues)) ?? 'null');
    else if (kind === 2) cases.push(JSON.stringify(mutateEvent(validEvent())));
    else if (kind === 3) cases.push(JSON.stringify(batch()));
    else if (kind === 4) cases.push(mutateText(JSON.stringify(random() < 0.5 ? validEvent() : batch())));
    else if (kind === 5) cases.push(mutateBytes(Buffer.from(JSON.stringify(batch()))));
    else if (kind === 6) cases.push(JSON.stringify(random() < 0.5 ? validEvent() : [validEvent(), validEvent()]));
    else cases.push(random() < 0.5 ? null : pick(['', ' ', '\ufeff', '[', 'undefined', '{"tab":"x"}', '[1,2,3]', '[[{}]]']));
  }
  return cases;
}

/** A worker's clock and tolerance: a tenth of the valid events' times are later than they allow. */
const CLOCK = { now: 1_700_000_000_000, maxFutureMs: 900_000 };

describe('decodeMessage under fuzzing', () => {
  it('accounts for every one of 100k random and mutated messages without throwing', () => {
    const cases = fuzzCases(100_000, 20_240_601);
    const seenReasons = new Set<string>();
    // Checked by hand and asserted once at the end: 100k expect() calls would dominate the run.
    const problems: string[] = [];
    const problem = (input: unknown, what: string) => problems.length < 20 && problems.push(`${what} for ${JSON.stringify(String(input))}`);
    let accepted = 0;
    for (const input of cases) {
      let result: ReturnType<typeof decodeMessage>;
      try {
        result = decodeMessage(input, registry, CLOCK);
      } catch (err) {
        problem(input, `threw ${(err as Error).message}`);
        continue;
      }
      const { events, rejections } = result;
      for (const rejection of rejections) {
        if (!reasons.has(rejection.reason)) problem(input, `unknown reason ${rejection.reason}`);
        if (rejection.message.length === 0) problem(input, 'empty message');
        seenReasons.add(rejection.reason);
      }
      // Every element of a parsed batch comes out as exactly one event or one rejection.
      let parsed: unknown = undefined;
      try {
        parsed = JSON.parse(typeof input === 'string' ? input.replace(/^\ufeff/, '') : (input?.toString('utf8') ?? ''));
      } catch {
        parsed = undefined;
      }
      if (rejections.some((r) => r.reason === 'bad-json')) {
        if (events.length !== 0 || rejections.length !== 1) problem(input, 'bad-json beside other outcomes');
      } else if (Array.isArray(parsed)) {
        if (events.length + rejections.length !== parsed.length) problem(input, 'batch elements unaccounted for');
        if (rejections.some((r) => r.index === undefined || r.index < 0 || r.index >= parsed.length)) problem(input, 'bad index');
      } else if (events.length + rejections.length !== 1) {
        problem(input, 'single event unaccounted for');
      }
      // What passes is valid: it decodes again, alone, to itself.
      for (const event of events) {
        const again = decodeMessage(JSON.stringify(event), registry, CLOCK);
        if (again.rejections.length > 0 || JSON.stringify(again.events) !== JSON.stringify([event])) problem(input, 'accepted event does not decode to itself');
      }
      accepted += events.length;
    }
    expect(problems).toEqual([]);
    expect(accepted).toBeGreaterThan(10_000);
    // The fuzzer reaches every reason the decoder can give (the fold and the blocklist give the others).
    expect([...seenReasons].sort()).toEqual(REJECT_REASONS.filter((r) => r !== 'type-mismatch' && r !== 'tab-blocked').sort());
  });
});
