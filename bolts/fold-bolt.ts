import type { BoltDefinition } from '../topology/dsl';
import type { Bolt, Emit, Tuple } from '../topology/runtime/bolt';
import type { CheckpointDraft } from '../topology/runtime/checkpoint-draft';
import type { TaskContext } from '../topology/runtime/task-context';
import type { LoadedPartition } from '../state/redis-state-store';
import type { TabEvent } from './event';
import type { TabHandler } from './handlers/handler';
import { DedupWindow } from './dedup-window';

/** One (Tab, client) state held by the task that owns the Tab. */
export interface TabState {
  tab: string;
  client: string;
  type: string;
  handler: TabHandler;
  state: unknown;
  /** Set when the fold dropped it (its handler said it holds nothing worth keeping). */
  pruned?: boolean;
  /** The checkpoint interval in which the fold last emitted it (see FoldBolt.interval). */
  emittedIn: number;
}

export const STATE_FIELDS = ['tab', 'client', 'type', 'entry'] as const;

const stateKey = (tab: string, client: string): string => `${tab}\u0000${client}`;

/**
 * Folds events into per-(Tab, client) states, idempotently: a resent event
 * (same id) is dropped by the dedup window, a replayed record never reaches
 * here (the runtime skips offsets at or below the watermark). A Tab's first
 * type wins; a later event of another type is dead-lettered as type-mismatch.
 * Emits each changed state so the sink knows what to write: once per
 * checkpoint interval, at its first change (the tuple carries the live state,
 * so a second emit in the same interval would tell the sink nothing new).
 */
class FoldBolt implements Bolt {
  private readonly states = new Map<string, TabState>();
  private readonly types = new Map<string, string>();
  private newTypes: Array<{ tab: string; type: string }> = [];
  private readonly dedup = new DedupWindow();
  private folded = 0;
  /** Where the incremental prune scan stopped; it resumes there at the next checkpoint. */
  private pruneCursor: IterableIterator<[string, TabState]> | null = null;
  /** Counts checkpoints: a state emitted in this interval is not emitted again until the next. */
  private interval = 0;
  /** The state the previous event folded into: a batch's events are mostly of one Tab and client. */
  private last: TabState | null = null;

  constructor(private readonly ctx: TaskContext) {}

  execute(tuple: Tuple, emit: Emit): void {
    const event = tuple as unknown as TabEvent;
    const last = this.last;
    // Same Tab, client and type as the state before: its type is established and agrees.
    const entry = last !== null && last.tab === event.tab && last.client === event.client && last.type === event.type ? last : this.entryFor(event, tuple);
    if (entry === undefined) return;
    if (event.id !== undefined && this.dedup.seen(event.id, event.time)) {
      this.ctx.count('events_resent_dropped');
      return;
    }
    entry.handler.fold(entry.state, event);
    this.folded++;
    if (entry.emittedIn !== this.interval) {
      entry.emittedIn = this.interval;
      emit({ tab: entry.tab, client: entry.client, type: entry.type, entry });
    }
  }

  /** The state an event folds into (made when new), or undefined after dead-lettering the event. */
  private entryFor(event: TabEvent, tuple: Tuple): TabState | undefined {
    const known = this.types.get(event.tab);
    if (known !== undefined && known !== event.type) {
      this.ctx.deadLetter('type-mismatch', `tab '${event.tab}' is a ${known}, not a ${event.type}`, tuple);
      return;
    }
    const handler = this.ctx.registry.get(event.type);
    if (handler === undefined) {
      this.ctx.deadLetter('type-unknown', `no handler for type '${event.type}'`, tuple);
      return;
    }
    if (known === undefined) {
      this.types.set(event.tab, event.type);
      this.newTypes.push({ tab: event.tab, type: event.type });
    }
    const key = stateKey(event.tab, event.client);
    let entry = this.states.get(key);
    if (entry === undefined) {
      entry = { tab: event.tab, client: event.client, type: event.type, handler, state: handler.newState(), emittedIn: -1 };
      this.states.set(key, entry);
    }
    this.last = entry;
    return entry;
  }

  restore(loaded: LoadedPartition): void {
    for (const [tab, type] of loaded.types) this.types.set(tab, type);
    for (const s of loaded.states) {
      const type = loaded.types.get(s.tab);
      const handler = type === undefined ? undefined : this.ctx.registry.get(type);
      if (type === undefined || handler === undefined) {
        this.ctx.count('states_unreadable');
        continue;
      }
      this.states.set(stateKey(s.tab, s.client), {
        tab: s.tab,
        client: s.client,
        type,
        handler,
        state: handler.deserialize(s.bytes),
        emittedIn: -1,
      });
    }
    for (const [bucket, ids] of loaded.dedup) this.dedup.load(bucket, ids);
  }

  checkpoint(draft: CheckpointDraft, now: number): void {
    draft.types.push(...this.newTypes);
    this.newTypes = [];
    for (const [bucket, ids] of this.dedup.takeAdded()) draft.dedupAdded.set(bucket, ids);
    draft.dedupExpireBefore = this.dedup.expireBefore();
    draft.eventsDelta += this.folded;
    this.folded = 0;
    this.interval++;
    this.last = null;
    this.prune(draft, now);
    this.ctx.gauge('states', this.states.size);
    this.ctx.gauge('dedup_window_ids', this.dedup.size);
    this.ctx.gauge('dedup_window_evicted_ids', this.dedup.evictions);
    this.ctx.gauge('dedup_window_unchecked_ids', this.dedup.unchecked);
  }

  /**
   * Drops states their handler says hold nothing worth keeping (an expired
   * gauge or buffer), a slice per checkpoint so a large task never stalls.
   */
  private prune(draft: CheckpointDraft, now: number): void {
    for (let examined = 0; examined < PRUNE_SLICE; examined++) {
      this.pruneCursor ??= this.states.entries();
      const next = this.pruneCursor.next();
      if (next.done) {
        this.pruneCursor = null;
        return;
      }
      const [key, entry] = next.value;
      if (!entry.handler.shouldPrune(entry.state, now)) continue;
      this.states.delete(key);
      entry.pruned = true;
      draft.deleted.push({ tab: entry.tab, client: entry.client });
    }
  }
}

/** States examined for pruning per checkpoint. */
const PRUNE_SLICE = 5_000;

export function foldBolt(): BoltDefinition {
  return { kind: 'bolt', type: 'fold', outputFields: STATE_FIELDS, create: (ctx) => new FoldBolt(ctx) };
}
