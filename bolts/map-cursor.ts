/**
 * A walk over a Map that can stop anywhere and go on from there later (an
 * incremental scan, a clock hand). Entries deleted meanwhile are skipped,
 * entries added are met before the lap ends; at the end of a lap `next`
 * says so once (undefined), and the next call starts a new lap.
 */
export class MapCursor<K, V> {
  private entries: IterableIterator<[K, V]> | null = null;

  constructor(private readonly map: Map<K, V>) {}

  next(): [K, V] | undefined {
    this.entries ??= this.map.entries();
    const step = this.entries.next();
    if (!step.done) return step.value;
    this.entries = null;
    return undefined;
  }

  reset(): void {
    this.entries = null;
  }
}
