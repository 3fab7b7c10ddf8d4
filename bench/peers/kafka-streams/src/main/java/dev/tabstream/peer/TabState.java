package dev.tabstream.peer;

/**
 * The state of one (Tab, client), as Tabstream's handlers define it: counter (count and total
 * per window), gauge (last value by event time), percentile (DDSketch per window), unique
 * (HyperLogLog per window). Serialized whole into the Kafka Streams store.
 */
abstract class TabState {
  static final int COUNTER = 0, GAUGE = 1, PERCENTILE = 2, UNIQUE = 3;

  abstract int type();

  /** Events folded, all time. */
  abstract long count();

  /** Sum of the values folded, all time (0 for unique). */
  abstract double total();

  abstract void foldNumber(long time, double value);

  abstract void foldString(long time, String value);

  abstract void write(ByteOut out);

  static TabState create(int type) {
    switch (type) {
      case COUNTER: return new CounterState();
      case GAUGE: return new GaugeState();
      case PERCENTILE: return new PercentileState();
      case UNIQUE: return new UniqueState();
      default: throw new IllegalArgumentException("type " + type);
    }
  }

  static int typeOf(String name) {
    switch (name) {
      case "counter": return COUNTER;
      case "gauge": return GAUGE;
      case "percentile": return PERCENTILE;
      case "unique": return UNIQUE;
      default: return -1;
    }
  }

  static String typeName(int type) {
    return new String[] {"counter", "gauge", "percentile", "unique"}[type];
  }

  byte[] serialize() {
    ByteOut out = new ByteOut(256);
    out.u8(type());
    write(out);
    return out.toArray();
  }

  static TabState deserialize(byte[] bytes) {
    ByteIn in = new ByteIn(bytes);
    int type = in.u8();
    switch (type) {
      case COUNTER: return CounterState.read(in);
      case GAUGE: return GaugeState.read(in);
      case PERCENTILE: return PercentileState.read(in);
      case UNIQUE: return UniqueState.read(in);
      default: throw new IllegalStateException("unknown state type " + type);
    }
  }
}
