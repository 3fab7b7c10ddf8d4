package dev.tabstream.peer;

/**
 * A state kept per bucket of rolling windows plus an all-time cell: folding advances the rings
 * to the event's buckets (clearing what rolls out) and adds to each; the bytes are maxTime + 1,
 * then every ring's cells from its newest bucket back, then the all-time cell.
 */
abstract class WindowedState extends TabState {
  final Windows windows;
  long maxTime = -1;
  final long[] newest;

  WindowedState(Windows windows) {
    this.windows = windows;
    this.newest = windows.newestFor(-1);
  }

  abstract void clearSlot(int slot);

  abstract void writeCell(ByteOut out, int slot);

  abstract void readCell(ByteIn in, int slot);

  abstract void writeAll(ByteOut out);

  abstract void readAll(ByteIn in);

  /** The slots an event at `time` adds to (one per ring that still holds its bucket), after advancing the rings. */
  final int slotsFor(long time, int[] out) {
    int n = 0;
    for (int r = 0; r < windows.rings(); r++) {
      int slot = windows.advance(newest, r, Windows.bucketIndex(time, windows.bucketMs[r]), this::clearSlot);
      if (slot >= 0) out[n++] = slot;
    }
    if (time > maxTime) maxTime = time;
    return n;
  }

  private void forEachSlot(java.util.function.IntConsumer visit) {
    for (int r = 0; r < windows.rings(); r++) {
      for (long j = newest[r]; j > newest[r] - windows.slots[r]; j--) visit.accept(windows.slotOf(r, j));
    }
  }

  @Override
  final void write(ByteOut out) {
    out.varlong(maxTime + 1);
    if (maxTime >= 0) forEachSlot(slot -> writeCell(out, slot));
    writeAll(out);
  }

  final <S extends WindowedState> S readInto(ByteIn in) {
    maxTime = in.varlong() - 1;
    if (maxTime >= 0) {
      System.arraycopy(windows.newestFor(maxTime), 0, newest, 0, newest.length);
      forEachSlot(slot -> readCell(in, slot));
    }
    readAll(in);
    @SuppressWarnings("unchecked")
    S self = (S) this;
    return self;
  }
}
