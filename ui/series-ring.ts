// A bounded time series table: a ring of sample times and, per named column,
// the value at each time (NaN: none). Memory is fixed by its capacity and
// its most columns; a column that held no value over the whole ring is
// dropped, so Tabs that went away leave.
export interface SeriesColumns {
  /** Sample times, epoch ms, oldest first. */
  t: number[];
  /** Per column, a value per time (null: none). */
  columns: Record<string, Array<number | null>>;
}

export class SeriesRing {
  private readonly times: Float64Array;
  private readonly columns = new Map<string, Float64Array>();
  /** Index the next sample goes to; `size` samples end just before it. */
  private next = 0;
  private size = 0;

  constructor(
    readonly capacity: number,
    /** Past this many columns, new ones are not kept (the first ones stay). */
    readonly maxColumns: number,
  ) {
    this.times = new Float64Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** The newest sample's time, or null while empty. */
  get lastTime(): number | null {
    return this.size === 0 ? null : this.times[(this.next - 1 + this.capacity) % this.capacity]!;
  }

  get columnNames(): string[] {
    return [...this.columns.keys()];
  }

  /** One sample at `t`: the given columns' values; every other column has none at `t`. */
  push(t: number, values: Readonly<Record<string, number | null | undefined>>): void {
    const at = this.next;
    this.times[at] = t;
    for (const column of this.columns.values()) column[at] = NaN;
    for (const [name, value] of Object.entries(values)) {
      if (value === null || value === undefined || !Number.isFinite(value)) continue;
      let column = this.columns.get(name);
      if (column === undefined) {
        if (this.columns.size >= this.maxColumns) continue;
        column = new Float64Array(this.capacity).fill(NaN);
        this.columns.set(name, column);
      }
      column[at] = value;
    }
    this.next = (at + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
    // Once the ring came round, a column with no value left in it goes.
    if (at === this.capacity - 1) {
      for (const [name, column] of this.columns) if (column.every(Number.isNaN)) this.columns.delete(name);
    }
  }

  /** The samples after `since` (all when absent), oldest first; only the columns `keep` accepts. */
  read(since = -Infinity, keep: (name: string) => boolean = () => true): SeriesColumns {
    const indexes: number[] = [];
    for (let i = 0; i < this.size; i++) {
      const at = (this.next - this.size + i + this.capacity) % this.capacity;
      if (this.times[at]! > since) indexes.push(at);
    }
    const columns: SeriesColumns['columns'] = {};
    for (const [name, column] of this.columns) {
      if (!keep(name)) continue;
      columns[name] = indexes.map((at) => (Number.isNaN(column[at]!) ? null : column[at]!));
    }
    return { t: indexes.map((at) => this.times[at]!), columns };
  }
}
