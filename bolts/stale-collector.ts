// Taba's GC for the states a fold task does not hold in memory: a walk over
// the partition's states in Redis, a page a second at most (asked for at a
// checkpoint: a short flush interval does not walk faster), a lap at a time
// (the states in memory are judged by the task's own prune). A state not in
// memory when its page arrives is as Redis holds it (only states a durable
// checkpoint wrote leave memory, and the page answers before any later write
// of the task, on the same connection); it is deleted at the next checkpoint
// unless it is in memory by then, or a fold fetched or made it meanwhile.
import type { StateSource } from '../contracts/state-source';
import type { HandlerRegistry } from '../tabs/handlers/registry';
import type { TabHandler } from '../tabs/handlers/handler';
import { stateKey } from './resident-states';
import { WorkPace } from './work-pace';
import { RECORD_CLIENT, RECORD_DELTA_CLIENT } from '../state/redis-keys';

/** States of Redis examined per page, pages a second, and the pause between two laps over all of them. */
const PAGE = 500;
const PAGES_PER_SECOND = 1;
const LAP_PAUSE_MS = 60_000;

export class StaleCollector {
  private cursor = '0';
  private scanning = false;
  private nextLapAt = 0;
  private closed = false;
  private readonly collectable = new Map<string, { tab: string; client: string }>();
  /** Tab records whose base a page found stale, until their deltas are read (a delta's events may be recent). */
  private readonly recordsToCheck = new Map<string, { tab: string; client: string; handler: TabHandler; state: unknown }>();
  private readonly pace = new WorkPace(PAGES_PER_SECOND);

  constructor(
    private readonly source: StateSource,
    private readonly partition: number,
    private readonly registry: HandlerRegistry,
    private readonly isStale: (handler: TabHandler, state: unknown, now: number) => boolean,
    private readonly inMemory: (tab: string, client: string) => boolean,
  ) {}

  /** A fold fetched or made this state: it is not stale, whatever its page said. */
  touched(key: string): void {
    this.collectable.delete(key);
    this.recordsToCheck.delete(key);
  }

  /** The stale states to delete in this checkpoint; the walk's next page is asked for. */
  take(now: number): Array<{ tab: string; client: string }> {
    const out: Array<{ tab: string; client: string }> = [];
    for (const s of this.collectable.values()) if (!this.inMemory(s.tab, s.client)) out.push(s);
    this.collectable.clear();
    this.scan(now);
    return out;
  }

  close(): void {
    this.closed = true;
  }

  /** The records whose base was found stale, judged with their deltas (read in one round): stale merged, they go. */
  private async checkRecords(now: number): Promise<void> {
    if (this.recordsToCheck.size === 0) return;
    const asked = [...this.recordsToCheck.values()];
    const { states: deltas } = await this.source.fetch(this.partition, asked.map(({ tab }) => ({ tab, client: RECORD_DELTA_CLIENT })), []);
    asked.forEach((r, i) => {
      const key = stateKey(r.tab, r.client);
      // Fetched or made by a fold meanwhile: not stale.
      if (this.recordsToCheck.get(key) !== r) return;
      this.recordsToCheck.delete(key);
      const delta = deltas[i];
      if (delta !== null && delta !== undefined) {
        try {
          r.handler.mergeState!(r.state, r.handler.deserialize(delta));
        } catch {
          return;
        }
        if (!this.isStale(r.handler, r.state, now)) return;
      }
      this.collectable.set(key, { tab: r.tab, client: r.client });
    });
  }

  private scan(now: number): void {
    if (this.scanning || this.closed || (this.cursor === '0' && now < this.nextLapAt)) return;
    if (this.pace.take(now) === 0) return;
    this.scanning = true;
    this.source
      .scan(this.partition, this.cursor, PAGE)
      .then(({ cursor, states }) => {
        if (this.closed) return;
        this.cursor = cursor;
        if (cursor === '0') this.nextLapAt = Date.now() + LAP_PAUSE_MS;
        for (const s of states) {
          // A record's delta is judged with its base, below.
          if (s.client === RECORD_DELTA_CLIENT) continue;
          if (this.inMemory(s.tab, s.client) || s.type === null) continue;
          const handler = this.registry.get(s.type);
          if (handler?.isStale === undefined) continue;
          let state: unknown;
          try {
            state = handler.deserialize(s.bytes);
          } catch {
            continue; // unreadable here (a newer format): not this worker's to judge
          }
          if (!this.isStale(handler, state, now)) continue;
          const key = stateKey(s.tab, s.client);
          if (s.client === RECORD_CLIENT && handler.mergeState !== undefined) this.recordsToCheck.set(key, { tab: s.tab, client: s.client, handler, state });
          else this.collectable.set(key, { tab: s.tab, client: s.client });
        }
        return this.checkRecords(now);
      })
      // Redis away: the walk goes on from the same page at a later checkpoint.
      .catch(() => {})
      .finally(() => {
        this.scanning = false;
      });
  }
}
