// npm run bench:fold — how fast one core decodes and folds wire messages, per
// Tab type, and how big the folded states are once serialized.
//
// Messages are realistic client batches: 50 events of one Tab from one client
// (values from client/EventMix, event times 10 ms apart so the windows roll,
// half with ids). The baseline, measured in the same run on the same
// messages, is JSON.parse alone: the least any decoder must do.
import { cpus } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventMix, type MixTabType } from '../client/event-mix';
import { decodeMessage } from '../bolts/wire';
import { defaultRegistry } from '../tabs/handlers/registry';
import { measureStateHeap } from './state-heap';

const EVENTS_PER_TYPE = 200_000;
const BATCH = 50;
const CLIENTS = 8;
const RUNS = 7;
const T0 = 1_700_000_000_000;
const registry = defaultRegistry();

// A full collection before each timed pass, so no pass pays for the garbage of the one before.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

interface TypeResult {
  type: string;
  events: number;
  messages: number;
  /** Events per CPU-second, best of RUNS. */
  parseOnly: number;
  decode: number;
  decodeAndFold: number;
  states: number;
  stateBytesMean: number;
  stateBytesMax: number;
}

/** Client batches of one Tab and one client, as producers write them. */
function messagesFor(type: MixTabType): Buffer[] {
  const mix = new EventMix({ seed: 1, clients: CLIENTS });
  const pending = new Map<string, object[]>();
  const messages: Buffer[] = [];
  let made = 0;
  while (made < EVENTS_PER_TYPE) {
    const e = mix.next();
    if (e.type !== type) continue;
    const key = `${e.tab}\u0000${e.client}`;
    let batch = pending.get(key);
    if (batch === undefined) pending.set(key, (batch = []));
    const time = T0 + made * 10;
    batch.push(made % 2 === 0 ? { ...e, time, id: `${e.client}.${made}` } : { ...e, time });
    made++;
    if (batch.length === BATCH) {
      messages.push(Buffer.from(JSON.stringify(batch)));
      pending.delete(key);
    }
  }
  for (const batch of pending.values()) messages.push(Buffer.from(JSON.stringify(batch)));
  return messages;
}

/**
 * Best events per CPU-second of RUNS passes after a warm-up, the passes of
 * the variants interleaved. CPU time (process.cpuUsage), not wall time: the
 * machine is shared, and a preempted pass would otherwise look slow.
 */
function rates(events: number, passes: Record<string, () => void>): Record<string, number> {
  const best: Record<string, number> = {};
  for (const [name, pass] of Object.entries(passes)) {
    pass();
    best[name] = Infinity;
  }
  for (let i = 0; i < RUNS; i++) {
    for (const [name, pass] of Object.entries(passes)) {
      collectGarbage();
      const start = process.cpuUsage();
      pass();
      const used = process.cpuUsage(start);
      best[name] = Math.min(best[name], (used.user + used.system) / 1e6);
    }
  }
  const out: Record<string, number> = {};
  for (const name of Object.keys(passes)) out[name] = events / best[name];
  return out;
}

function foldAll(messages: Buffer[]): Map<string, { type: string; state: unknown }> {
  const states = new Map<string, { type: string; state: unknown }>();
  for (const message of messages) {
    const { events } = decodeMessage(message, registry);
    for (const event of events) {
      const key = `${event.tab}\u0000${event.client}`;
      let entry = states.get(key);
      const handler = registry.get(event.type)!;
      if (entry === undefined) states.set(key, (entry = { type: event.type, state: handler.newState() }));
      handler.fold(entry.state, event);
    }
  }
  return states;
}

function measure(type: MixTabType): TypeResult {
  const messages = messagesFor(type);
  const events = EVENTS_PER_TYPE;
  const { parseOnly, decode, decodeAndFold } = rates(events, {
    parseOnly: () => {
      for (const m of messages) JSON.parse(m.toString('utf8'));
    },
    decode: () => {
      for (const m of messages) decodeMessage(m, registry);
    },
    decodeAndFold: () => foldAll(messages),
  });
  const states = foldAll(messages);
  const sizes = [...states.values()].map(({ type: t, state }) => registry.get(t)!.serialize(state).length);
  return {
    type,
    events,
    messages: messages.length,
    parseOnly,
    decode,
    decodeAndFold,
    states: sizes.length,
    stateBytesMean: Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length),
    stateBytesMax: Math.max(...sizes),
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (n: number) => `${n.toFixed(2)}×`;

const types: MixTabType[] = ['counter', 'gauge', 'percentile', 'unique', 'buffer'];
const results = types.map(measure);

console.log(`fold bench: ${EVENTS_PER_TYPE.toLocaleString('en-US')} events per type in batches of ${BATCH}, events per CPU-second, best of ${RUNS}`);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'}`);
console.table(
  results.map((r) => ({
    type: r.type,
    'JSON.parse ev/s': fmt(r.parseOnly),
    'decode ev/s': fmt(r.decode),
    'decode+fold ev/s': fmt(r.decodeAndFold),
    'decode / parse': ratio(r.decode / r.parseOnly),
    'decode+fold / parse': ratio(r.decodeAndFold / r.parseOnly),
    states: r.states,
    'state bytes mean': r.stateBytesMean,
    'state bytes max': r.stateBytesMax,
  })),
);

const HEAP_STATES = 100_000;
const heap = types.map((type) => measureStateHeap(type, registry, HEAP_STATES, collectGarbage));
console.log(`heap per state in the working set, ${HEAP_STATES.toLocaleString('en-US')} states per type, two events each (bench/state-heap.ts)`);
console.table(
  heap.map((h) => ({
    type: h.type,
    'stored bytes': h.storedBytesMean,
    'thawed heap B': h.thawedHeapPerState,
    'resting heap B': h.restingHeapPerState,
    'frozen heap B': h.frozenHeapPerState,
    'thawed / stored': ratio(h.thawedHeapPerState / h.storedBytesMean),
    'resting / stored': ratio(h.restingHeapPerState / h.storedBytesMean),
    'frozen / stored': ratio(h.frozenHeapPerState / h.storedBytesMean),
    'thaws/s': fmt(h.thawsPerSecond),
  })),
);

const out = join(dirname(fileURLToPath(import.meta.url)), 'results', `fold-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ bench: 'fold', node: process.version, cpu: cpus()[0]?.model, eventsPerType: EVENTS_PER_TYPE, batch: BATCH, clients: CLIENTS, runs: RUNS, results, heap }, null, 2)}\n`,
);
console.log(`written ${out}`);
