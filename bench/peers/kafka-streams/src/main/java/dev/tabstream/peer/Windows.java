package dev.tabstream.peer;

/**
 * The rolling windows of a Tab, as Tabstream keeps them (tabs/windows/window-spec.ts):
 * per window a ring of buckets + 1 slots, keyed by absolute bucket index ceil(time / bucketMs);
 * the newest bucket of every ring follows the latest event time folded.
 */
final class Windows {
  final long[] bucketMs;
  final int[] slots;
  final int totalSlots;
  /** Where ring r starts in a flat array of totalSlots cells. */
  final int[] ringStart;

  private Windows(long[] bucketMs, int[] buckets) {
    this.bucketMs = bucketMs;
    this.slots = new int[buckets.length];
    this.ringStart = new int[buckets.length];
    int at = 0;
    for (int r = 0; r < buckets.length; r++) {
      slots[r] = buckets[r] + 1;
      ringStart[r] = at;
      at += slots[r];
    }
    this.totalSlots = at;
  }

  private static final long S = 1000, M = 60 * S, H = 60 * M;
  /** Counters: 1m in 10 s buckets, 10m in 1 min, 1h in 5 min, 1d in 1 h. */
  static final Windows FINE = new Windows(new long[] {10 * S, M, 5 * M, H}, new int[] {6, 10, 12, 24});
  /** Sketches (percentile, unique): 1m in 15 s, 10m in 2 min, 1h in 10 min, 1d in 2 h. */
  static final Windows SKETCH = new Windows(new long[] {15 * S, 2 * M, 10 * M, 2 * H}, new int[] {4, 5, 6, 12});

  int rings() {
    return bucketMs.length;
  }

  static long bucketIndex(long time, long bucketMs) {
    return Math.floorDiv(time + bucketMs - 1, bucketMs);
  }

  int slotOf(int ring, long index) {
    return ringStart[ring] + (int) Math.floorMod(index, (long) slots[ring]);
  }

  /** Callback of {@link #advance}: the slot is rolled out and must be emptied. */
  interface SlotClearer {
    void clear(int slot);
  }

  /**
   * Moves ring r forward to hold `index` (clearing the slots that roll out) and returns the
   * slot to add to, or -1 when the bucket is too old for the ring.
   */
  int advance(long[] newest, int ring, long index, SlotClearer clearer) {
    long current = newest[ring];
    int n = slots[ring];
    if (index > current) {
      for (long j = Math.max(current + 1, index - n + 1); j <= index; j++) clearer.clear(slotOf(ring, j));
      newest[ring] = index;
    } else if (index <= current - n) {
      return -1;
    }
    return slotOf(ring, index);
  }

  long[] newestFor(long maxTime) {
    long[] newest = new long[rings()];
    for (int r = 0; r < rings(); r++) newest[r] = maxTime < 0 ? -1 : bucketIndex(maxTime, bucketMs[r]);
    return newest;
  }
}
