// The benchmark's event stream: Taba's traffic as TabClients send it, one
// Kafka message per (Tab, client) batch, keyed by Tab, over a mix of counter,
// percentile, unique and gauge Tabs. It is generated message by message (never
// held whole in memory) and remembers the exact per-Tab count and total every
// system must end with.
import { SeededRandom } from '../client/seeded-random';

export type TabType = 'counter' | 'percentile' | 'unique' | 'gauge';

export interface WorkloadShape {
  /** Label in reports, e.g. `taba-production`. */
  name: string;
  tabs: number;
  clients: number;
  events: number;
  /** Events per message: a client's batch of one Tab. */
  eventsPerMessage: number;
  /** Give every event an id, as TabClient does (exercises the dedup window). */
  ids?: boolean;
  /** Also remember the count and total of every (Tab, client) state the stream touches (`Workload.stateExpected`). */
  trackStates?: boolean;
  seed?: number;
}

export interface TabExpectation {
  type: TabType;
  count: number;
  /** Sum of values (0 for unique and gauge). Counter values are integers, so counter totals are exact. */
  total: number;
}

/** A (Tab, client) state's number in a shape: Tab index × clients + client index. */
export function stateIndex(shape: Pick<WorkloadShape, 'clients'>, tab: number, client: number): number {
  return tab * shape.clients + client;
}

export function clientName(index: number): string {
  return `bidder-${index + 1}`;
}

/** Of every 10 Tabs: 6 counters, 2 percentiles, 1 unique, 1 gauge. */
const TYPE_CYCLE: TabType[] = ['counter', 'counter', 'counter', 'percentile', 'counter', 'unique', 'counter', 'percentile', 'counter', 'gauge'];

export function tabName(index: number): string {
  return `${TYPE_CYCLE[index % TYPE_CYCLE.length]}.${index}`;
}

export function tabType(index: number): TabType {
  return TYPE_CYCLE[index % TYPE_CYCLE.length]!;
}

export interface WorkloadMessage {
  key: string;
  value: Buffer;
  events: number;
}

/**
 * Messages of a shape, in order. Each picks a Tab and a client uniformly, so
 * the (Tab, client) states touched approach min(tabs × clients, messages).
 * Event times advance with the stream from `startTime`, 1 ms per 1000 events.
 */
export class Workload {
  readonly expected = new Map<string, TabExpectation>();
  /** With `trackStates`: per state touched (by `stateIndex`), the events it got and their total. */
  readonly stateExpected = new Map<number, { count: number; total: number }>();
  readonly messages: number;
  private readonly random: SeededRandom;
  private readonly names: string[];
  private readonly clientNames: string[];
  private readonly idPrefix: string;
  private produced = 0;
  private seq = 0;
  /** Values are drawn from fixed tables, so generating never bounds loading. */
  private readonly values: Record<TabType, Array<{ json: string; total: number }>>;
  private timeJson = '';
  private timeOf = -1;

  constructor(
    readonly shape: WorkloadShape,
    private readonly startTime = Date.now(),
  ) {
    this.random = new SeededRandom(shape.seed ?? 7);
    this.names = Array.from({ length: shape.tabs }, (_, i) => tabName(i));
    this.clientNames = Array.from({ length: shape.clients }, (_, i) => clientName(i));
    this.messages = Math.ceil(shape.events / shape.eventsPerMessage);
    this.idPrefix = `${this.startTime.toString(36)}.`;
    this.values = valueTables(this.random);
  }

  get done(): boolean {
    return this.produced >= this.shape.events;
  }

  /** The next message, or null when the stream is over. */
  next(): WorkloadMessage | null {
    if (this.done) return null;
    const { random } = this;
    const index = Math.floor(random.next() * this.names.length);
    const tab = this.names[index]!;
    const type = tabType(index);
    const clientIndex = Math.floor(random.next() * this.clientNames.length);
    const client = this.clientNames[clientIndex]!;
    const n = Math.min(this.shape.eventsPerMessage, this.shape.events - this.produced);
    let e = this.expected.get(tab);
    if (e === undefined) this.expected.set(tab, (e = { type, count: 0, total: 0 }));
    const head = `{"tab":"${tab}","type":"${type}","client":"${client}","value":`;
    const table = this.values[type];
    let json = '[';
    let total = 0;
    for (let i = 0; i < n; i++) {
      const value = table[Math.floor(random.next() * table.length)]!;
      const id = this.shape.ids ? `,"id":"${client}.${this.idPrefix}${this.seq.toString(36)}"` : '';
      json += `${i === 0 ? '' : ','}${head}${value.json},"time":${this.time()}${id}}`;
      e.count++;
      e.total += value.total;
      total += value.total;
      this.seq++;
    }
    this.produced += n;
    if (this.shape.trackStates) {
      const at = stateIndex(this.shape, index, clientIndex);
      const s = this.stateExpected.get(at);
      if (s === undefined) this.stateExpected.set(at, { count: n, total });
      else {
        s.count += n;
        s.total += total;
      }
    }
    return { key: tab, value: Buffer.from(`${json}]`), events: n };
  }

  private time(): string {
    const time = this.startTime + Math.floor(this.seq / 1000);
    if (time !== this.timeOf) {
      this.timeOf = time;
      this.timeJson = String(time);
    }
    return this.timeJson;
  }
}

function valueTables(r: SeededRandom): Record<TabType, Array<{ json: string; total: number }>> {
  const numbers = (values: number[]) => values.map((v) => ({ json: String(v), total: v }));
  return {
    counter: numbers(Array.from({ length: 10 }, (_, i) => i + 1)),
    percentile: numbers(Array.from({ length: 4096 }, () => Number(r.logNormal(0.25, 0.6).toFixed(3)))),
    unique: Array.from({ length: 10_000 }, (_, i) => ({ json: `"user-${i}"`, total: 0 })),
    // A gauge keeps its last value, not a sum: nothing to total.
    gauge: Array.from({ length: 1000 }, (_, i) => ({ json: String(i), total: 0 })),
  };
}
