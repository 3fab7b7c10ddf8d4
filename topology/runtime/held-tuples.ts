// How a slice holds back the tuples for a bolt that prefetches (see
// TopologyTask): as the tuples themselves, or, for a bolt that names its
// fields (Bolt.heldFields), as one column per field.
import type { HeldTuples, Tuple } from '../../contracts/bolt';

/** Held tuples and the index of each one's record in the slice. */
export interface SliceHeldTuples extends HeldTuples {
  push(tuple: Tuple, at: number): void;
  /** The index in the slice of the record tuple `index` came from. */
  recordOf(index: number): number;
}

/** The tuples as they came (no object per tuple beyond the tuples themselves). */
export class HeldTupleList implements SliceHeldTuples {
  private readonly tuples: Tuple[] = [];
  private readonly ats: number[] = [];

  get length(): number {
    return this.tuples.length;
  }

  push(tuple: Tuple, at: number): void {
    this.tuples.push(tuple);
    this.ats.push(at);
  }

  get(index: number): Tuple {
    return this.tuples[index]!;
  }

  recordOf(index: number): number {
    return this.ats[index]!;
  }
}

type Columns = unknown[][];

/**
 * The tuples' fields in columns, the tuples let go as they arrive: they die
 * in the young generation instead of being copied by its collections while
 * the slice waits for its states (a wire event is ~100 B of objects, its time
 * a boxed double; in a column of numbers it is 8 B, unboxed). A task reuses
 * one for each of its slices (`clear`): its columns keep their room, so a
 * slice allocates none (grown afresh for every slice, the columns allocated
 * more than the tuples they spared: twice the young collections). `get`
 * refills one object, whose fields keep their order and kinds, so storing a
 * time into it allocates nothing.
 */
export class HeldTupleColumns implements SliceHeldTuples {
  private readonly columns: Columns;
  private readonly ats: number[] = [];
  private count = 0;
  private reused: Tuple | null = null;

  constructor(private readonly access: FieldAccess) {
    this.columns = access.fields.map(() => []);
  }

  get length(): number {
    return this.count;
  }

  /**
   * Empty again, keeping the columns' room. What they held stays referenced
   * until a later slice as long overwrites it: at most the longest slice's
   * values (a slice is bounded by the reader's prefetch queue).
   */
  clear(): void {
    this.count = 0;
  }

  push(tuple: Tuple, at: number): void {
    const n = this.count++;
    this.access.store(this.columns, n, tuple);
    this.ats[n] = at;
  }

  get(index: number): Tuple {
    // Made by the first load (its fields in the declared order, a time stored as a double in place from then on).
    const tuple = this.reused ?? (this.reused = {});
    this.access.load(this.columns, index, tuple);
    return tuple;
  }

  recordOf(index: number): number {
    return this.ats[index]!;
  }

  column(field: string): ArrayLike<unknown> | undefined {
    const at = this.access.fields.indexOf(field);
    return at < 0 ? undefined : this.columns[at];
  }
}

/**
 * Moves a field list between tuples and columns. Made once per bolt with
 * each field written out by name (a function of its own, built from the
 * names): a loop over the names would make every store a keyed one that
 * sees six names, several times slower than the fold it serves.
 */
export interface FieldAccess {
  readonly fields: readonly string[];
  /** Puts the tuple's fields at index `n` of the columns (n at most their length). */
  store(columns: Columns, n: number, tuple: Tuple): void;
  load(columns: Columns, index: number, into: Tuple): void;
}

export function fieldAccess(fields: readonly string[]): FieldAccess {
  const names = fields.map((f) => JSON.stringify(f));
  const store = new Function('c', 'n', 't', names.map((name, f) => `c[${f}][n] = t[${name}];`).join('\n')) as FieldAccess['store'];
  const load = new Function('c', 'i', 't', names.map((name, f) => `t[${name}] = c[${f}][i];`).join('\n')) as FieldAccess['load'];
  return { fields: [...fields], store, load };
}
