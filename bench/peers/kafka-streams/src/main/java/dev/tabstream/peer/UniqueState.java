package dev.tabstream.peer;

/** Events and a HyperLogLog of their distinct values per bucket of the sketch windows, and all time. */
final class UniqueState extends WindowedState {
  final long[] counts = new long[Windows.SKETCH.totalSlots];
  final DistinctSketch[] sketches = new DistinctSketch[Windows.SKETCH.totalSlots];
  private final int[] slots = new int[Windows.SKETCH.rings()];
  long allCount;
  DistinctSketch all = new DistinctSketch();

  UniqueState() {
    super(Windows.SKETCH);
  }

  @Override int type() { return UNIQUE; }
  @Override long count() { return allCount; }
  @Override double total() { return 0; }

  @Override
  void foldNumber(long time, double value) {
    throw new IllegalArgumentException("a unique takes strings");
  }

  @Override
  void foldString(long time, String value) {
    int entry = DistinctSketch.entry(value);
    int n = slotsFor(time, slots);
    for (int i = 0; i < n; i++) {
      int slot = slots[i];
      counts[slot]++;
      if (sketches[slot] == null) sketches[slot] = new DistinctSketch();
      sketches[slot].add(entry);
    }
    allCount++;
    all.add(entry);
  }

  @Override
  void clearSlot(int slot) {
    counts[slot] = 0;
    sketches[slot] = null;
  }

  @Override
  void writeCell(ByteOut out, int slot) {
    out.varlong(counts[slot]);
    if (counts[slot] > 0) sketches[slot].write(out);
  }

  @Override
  void readCell(ByteIn in, int slot) {
    counts[slot] = in.varlong();
    if (counts[slot] > 0) sketches[slot] = DistinctSketch.read(in);
  }

  @Override
  void writeAll(ByteOut out) {
    out.varlong(allCount);
    all.write(out);
  }

  @Override
  void readAll(ByteIn in) {
    allCount = in.varlong();
    all = DistinctSketch.read(in);
  }

  static UniqueState read(ByteIn in) {
    return new UniqueState().readInto(in);
  }
}
