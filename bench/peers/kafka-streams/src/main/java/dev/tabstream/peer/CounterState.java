package dev.tabstream.peer;

/** Count and total per bucket of the fine windows, and all time. */
final class CounterState extends WindowedState {
  final long[] counts = new long[Windows.FINE.totalSlots];
  final double[] totals = new double[Windows.FINE.totalSlots];
  private final int[] slots = new int[Windows.FINE.rings()];
  long allCount;
  double allTotal;

  CounterState() {
    super(Windows.FINE);
  }

  @Override int type() { return COUNTER; }
  @Override long count() { return allCount; }
  @Override double total() { return allTotal; }

  @Override
  void foldNumber(long time, double value) {
    int n = slotsFor(time, slots);
    for (int i = 0; i < n; i++) {
      counts[slots[i]]++;
      totals[slots[i]] += value;
    }
    allCount++;
    allTotal += value;
  }

  @Override
  void foldString(long time, String value) {
    throw new IllegalArgumentException("a counter takes numbers");
  }

  @Override
  void clearSlot(int slot) {
    counts[slot] = 0;
    totals[slot] = 0;
  }

  @Override
  void writeCell(ByteOut out, int slot) {
    out.varlong(counts[slot]);
    if (counts[slot] > 0) out.f64(totals[slot]);
  }

  @Override
  void readCell(ByteIn in, int slot) {
    counts[slot] = in.varlong();
    if (counts[slot] > 0) totals[slot] = in.f64();
  }

  @Override
  void writeAll(ByteOut out) {
    out.varlong(allCount);
    if (allCount > 0) out.f64(allTotal);
  }

  @Override
  void readAll(ByteIn in) {
    allCount = in.varlong();
    if (allCount > 0) allTotal = in.f64();
  }

  static CounterState read(ByteIn in) {
    return new CounterState().readInto(in);
  }
}
