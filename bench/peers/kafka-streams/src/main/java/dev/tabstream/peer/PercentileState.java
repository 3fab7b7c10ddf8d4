package dev.tabstream.peer;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import com.datadoghq.sketch.ddsketch.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/** A DDSketch (1 % relative accuracy, exact count, sum, min, max) per bucket of the sketch windows, and all time. */
final class PercentileState extends WindowedState {
  /** The same mapping as Tabstream's (sketches-js LogarithmicMapping at 1 %), at most 2048 bins per sign. */
  static final IndexMapping MAPPING = new LogarithmicMapping(0.01);
  static final Supplier<Store> STORE = () -> new CollapsingLowestDenseStore(2048);

  final DDSketchWithExactSummaryStatistics[] cells = new DDSketchWithExactSummaryStatistics[Windows.SKETCH.totalSlots];
  private final int[] slots = new int[Windows.SKETCH.rings()];
  private final GrowingByteArrayOutput scratch = GrowingByteArrayOutput.withInitialCapacity(128);
  DDSketchWithExactSummaryStatistics all = newSketch();

  PercentileState() {
    super(Windows.SKETCH);
  }

  static DDSketchWithExactSummaryStatistics newSketch() {
    return new DDSketchWithExactSummaryStatistics(MAPPING, STORE);
  }

  @Override int type() { return PERCENTILE; }
  @Override long count() { return (long) all.getCount(); }
  @Override double total() { return all.isEmpty() ? 0 : all.getSum(); }

  @Override
  void foldNumber(long time, double value) {
    int n = slotsFor(time, slots);
    for (int i = 0; i < n; i++) {
      if (cells[slots[i]] == null) cells[slots[i]] = newSketch();
      cells[slots[i]].accept(value);
    }
    all.accept(value);
  }

  @Override
  void foldString(long time, String value) {
    throw new IllegalArgumentException("a percentile takes numbers");
  }

  @Override
  void clearSlot(int slot) {
    cells[slot] = null;
  }

  @Override
  void writeCell(ByteOut out, int slot) {
    writeSketch(out, cells[slot]);
  }

  @Override
  void readCell(ByteIn in, int slot) {
    cells[slot] = readSketch(in);
  }

  @Override
  void writeAll(ByteOut out) {
    writeSketch(out, all);
  }

  @Override
  void readAll(ByteIn in) {
    DDSketchWithExactSummaryStatistics read = readSketch(in);
    all = read == null ? newSketch() : read;
  }

  private void writeSketch(ByteOut out, DDSketchWithExactSummaryStatistics sketch) {
    if (sketch == null || sketch.isEmpty()) {
      out.varlong(0);
      return;
    }
    scratch.clear();
    try {
      sketch.encode(scratch, true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.bytes(scratch.backingArray(), 0, scratch.numWrittenBytes());
  }

  private static DDSketchWithExactSummaryStatistics readSketch(ByteIn in) {
    int n = (int) in.varlong();
    if (n == 0) return null;
    int from = in.at;
    in.at += n;
    try {
      return DDSketchWithExactSummaryStatistics.decode(ByteArrayInput.wrap(in.buf, from, n), STORE, MAPPING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static PercentileState read(ByteIn in) {
    return new PercentileState().readInto(in);
  }
}
