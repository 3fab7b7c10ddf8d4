// The workload of a Tab record written again and again, shared by
// bench/record-rewrite.ts and bench/record-tail.ts: a record that first takes
// `before` events over the 100 s before, then batches of 50 events `msPerEvent`
// apart in event time (20: 50 events a second, Taba's rate per Tab at 1 M
// events/s over 20,000 Tabs), so its buckets open, fill and close as a live
// Tab's do. Values as the bench's workload draws them (unique: 10,000
// users); clients of 300.
import { defaultRegistry } from '../tabs/handlers/registry';
import type { TabHandler } from '../tabs/handlers/handler';
import type { TabEvent } from '../tabs/event';
import { SeededRandom } from '../client/seeded-random';

export const RECORD_BATCH = 50;

export class RecordWorkload {
  readonly handler: TabHandler;
  private readonly rng = new SeededRandom(7);
  private time = 0;

  constructor(
    readonly type: string,
    private readonly before: number,
    private readonly msPerEvent: number,
  ) {
    const handler = defaultRegistry().get(type);
    if (handler === undefined) throw new Error(`no type '${type}'`);
    this.handler = handler;
  }

  /** A new record holding the `before` events; the batches follow it in event time. */
  seededRecord(): unknown {
    const state = this.handler.newState();
    const start = Date.now() - 100_000;
    for (let i = 0; i < this.before; i++) {
      this.handler.fold(state, this.event(`c${i % 300}`, this.valueOf(i), start + Math.floor((i * 100_000) / Math.max(1, this.before))));
    }
    this.time = start + 100_000;
    return state;
  }

  /** The next batch of events, later than the last. */
  nextBatch(): TabEvent[] {
    const events: TabEvent[] = [];
    for (let e = 0; e < RECORD_BATCH; e++) {
      this.time += this.msPerEvent;
      events.push(this.event(`c${Math.floor(this.rng.next() * 300)}`, this.valueOf(e), Math.floor(this.time)));
    }
    return events;
  }

  private event(client: string, value: string | number, time: number): TabEvent {
    return { tab: 't', client, type: this.type, value, time };
  }

  private valueOf(i: number): string | number {
    const { type, rng } = this;
    return type === 'unique' ? `user-${Math.floor(rng.next() * 10_000)}` : type === 'counter' ? i % 97 : Math.round(rng.next() * 1000) / 10;
  }
}
