// Builds a partition's Tab records and client counts from its stored client
// states: what a worker does when it takes up a partition whose records do
// not agree with its states (data written before records existed, or by a
// worker of an older version since: the meta's `records_at` is not the
// watermark). One walk over every stored state; the records and counts are
// then written by the task's first checkpoint.
import type { HandlerRegistry } from '../tabs/handlers/registry';
import type { TabHandler } from '../tabs/handlers/handler';
import { isRecord, stateField } from '../state/redis-keys';

export interface RebuiltRecord {
  tab: string;
  type: string;
  handler: TabHandler;
  state: unknown;
}

export class RecordRebuild {
  private readonly records = new Map<string, RebuiltRecord>();
  private readonly counts = new Map<string, number>();
  /** Record fields found stored, kept or not. */
  private readonly storedRecords = new Set<string>();
  private readonly seen = new Set<string>();
  /** Tabs with a state of no stored type, or of a type with no handler here: counted, not merged, their records left alone. */
  private readonly unreadable = new Set<string>();

  constructor(private readonly registry: HandlerRegistry) {}

  /** One stored state (a walk may bring one twice: the second is ignored). */
  add(tab: string, client: string, type: string | null | undefined, bytes: Uint8Array): void {
    if (isRecord(client)) {
      this.storedRecords.add(tab);
      return;
    }
    const key = stateField(tab, client);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.counts.set(tab, (this.counts.get(tab) ?? 0) + 1);
    const handler = type === null || type === undefined ? undefined : this.registry.get(type);
    if (type === null || type === undefined || handler === undefined) {
      this.unreadable.add(tab);
      return;
    }
    if (handler.mergeState === undefined) return;
    const state = handler.deserialize(bytes);
    const record = this.records.get(tab);
    if (record === undefined) this.records.set(tab, { tab, type, handler, state });
    else handler.mergeState(record.state, state);
  }

  /** The merged record of each Tab whose type keeps one. */
  rebuilt(): RebuiltRecord[] {
    return [...this.records.values()];
  }

  /** Each Tab's client count, every Tab with a stored client state. */
  clientCounts(): Array<{ tab: string; clients: number }> {
    return [...this.counts].map(([tab, clients]) => ({ tab, clients }));
  }

  /** Stored records of Tabs that keep none now (no client state left, or a type without records): to delete. */
  orphanRecords(): string[] {
    return [...this.storedRecords].filter((tab) => !this.records.has(tab) && !this.unreadable.has(tab));
  }
}
