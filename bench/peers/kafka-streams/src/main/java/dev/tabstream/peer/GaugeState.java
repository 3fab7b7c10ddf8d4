package dev.tabstream.peer;

/** The latest value by event time (a tie goes to the larger value), and how many events. */
final class GaugeState extends TabState {
  long count;
  long time = -1;
  double value;

  @Override int type() { return GAUGE; }
  @Override long count() { return count; }
  @Override double total() { return 0; }

  @Override
  void foldNumber(long t, double v) {
    count++;
    if (count == 1 || t > time || (t == time && v > value)) {
      time = t;
      value = v;
    }
  }

  @Override
  void foldString(long time, String value) {
    throw new IllegalArgumentException("a gauge takes numbers");
  }

  @Override
  void write(ByteOut out) {
    out.varlong(count);
    if (count > 0) out.varlong(time).f64(value);
  }

  static GaugeState read(ByteIn in) {
    GaugeState s = new GaugeState();
    s.count = in.varlong();
    if (s.count > 0) {
      s.time = in.varlong();
      s.value = in.f64();
    }
    return s;
  }
}
