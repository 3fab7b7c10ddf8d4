// The handle an application records one Tab's events through, e.g.
// `client.counter('bids').record()`. Created (and its name checked) once,
// then cheap to call on the hot path.

/** Where a recorder hands its events: the TabClient. */
export type RecordSink = (tab: string, type: string, value: number | string, time: number | undefined) => void;

export class TabRecorder<V extends number | string = number> {
  constructor(
    readonly name: string,
    readonly type: string,
    private readonly sink: RecordSink,
  ) {}

  /** Records one event; `time` is epoch milliseconds, default now. */
  record(value: V, time?: number): void {
    this.sink(this.name, this.type, value, time);
  }
}

/** A counter counts events and sums their values, so `record()` alone counts one. */
export class CounterRecorder extends TabRecorder<number> {
  override record(value = 1, time?: number): void {
    super.record(value, time);
  }
}
