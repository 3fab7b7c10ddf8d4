// The states a fold task's prefetch found for a slice, kept for its fold (see FoldBolt.prefetch).
import type { TabState } from './tab-state';

/**
 * The states a prefetch found for its slice's runs, in order, for the fold
 * to take without a lookup: `take` looks a few places ahead (a run that was
 * dead-lettered, or folded into the state the slice before ended with, asks
 * for nothing), and says undefined when it does not find the state there.
 */
export class SliceLookups {
  private readonly entries: Array<TabState | undefined> = [];
  private next = 0;

  clear(): void {
    this.entries.length = 0;
    this.next = 0;
  }

  /** Its place. */
  push(entry: TabState | undefined): number {
    return this.entries.push(entry) - 1;
  }

  set(at: number, entry: TabState): void {
    this.entries[at] = entry;
  }

  /** The state of (tab, client) if it is among the next few, pinned in `interval` (so still held), and not pruned. */
  take(tab: string, client: string, interval: number): TabState | undefined {
    const end = Math.min(this.entries.length, this.next + SLICE_LOOKAHEAD);
    for (let at = this.next; at < end; at++) {
      const entry = this.entries[at];
      if (entry !== undefined && entry.pinnedIn === interval && !entry.pruned && entry.tab === tab && entry.client === client) {
        this.next = at + 1;
        return entry;
      }
    }
    return undefined;
  }
}

/** How far ahead SliceLookups.take looks for a state. */
const SLICE_LOOKAHEAD = 4;
