import type { TabEvent } from '../event';
import type { FoldRun } from './fold-run';
import type { Windows } from '../windows/windows';

/**
 * A windowed type's run (see FoldRun): events whose times share a bucket in
 * every window (Windows.runBucket), their values added into one cell,
 * which then goes into each window's bucket of a state as one merge.
 */
export class WindowedRun<S, C, V> implements FoldRun<S> {
  size = 0;
  private bucket = Number.NaN;
  /** The run's latest event time. */
  private time = -1;
  private cell: C | undefined;

  constructor(
    private readonly windows: Windows<S, C, V>,
    private readonly cellValue: (value: TabEvent['value']) => V,
  ) {}

  add(event: TabEvent): boolean {
    const bucket = this.windows.runBucket(event.time);
    if (this.size === 0) {
      this.bucket = bucket;
      this.cell = this.windows.cell.create();
    } else if (bucket !== this.bucket) {
      return false;
    }
    this.cell = this.windows.cell.add(this.cell!, this.cellValue(event.value));
    if (event.time > this.time) this.time = event.time;
    this.size++;
    return true;
  }

  foldInto(state: S): void {
    if (this.size > 0) this.windows.addCell(state, this.time, this.cell!);
  }

  clear(): void {
    this.size = 0;
    this.bucket = Number.NaN;
    this.time = -1;
    this.cell = undefined;
  }
}
