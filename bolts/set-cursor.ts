/**
 * A walk over a Set that can stop anywhere and go on from there later (an
 * incremental scan, a clock hand). Members deleted meanwhile are skipped,
 * members added are met before the lap ends; at the end of a lap `next`
 * says so once (undefined), and the next call starts a new lap.
 */
export class SetCursor<T> {
  private members: IterableIterator<T> | null = null;

  constructor(private readonly set: Set<T>) {}

  next(): T | undefined {
    this.members ??= this.set.values();
    const step = this.members.next();
    if (!step.done) return step.value;
    this.members = null;
    return undefined;
  }
}
