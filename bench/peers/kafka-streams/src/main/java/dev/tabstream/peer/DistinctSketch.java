package dev.tabstream.peer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * HyperLogLog at precision 14 (as Tabstream's unique Tabs): sparse sorted entries
 * (register << 6 | rank) while few registers are set, then 16384 dense registers.
 */
final class DistinctSketch {
  static final int PRECISION = 14;
  static final int REGISTERS = 1 << PRECISION;
  private static final int SPARSE_LIMIT = 2048;

  int[] sparse = new int[4];
  int sparseSize;
  byte[] dense;

  /** A value's register and rank as one int: hash once per event, add to every window's sketch. */
  static int entry(String value) {
    long h = hash64(value);
    int register = (int) (h >>> (64 - PRECISION));
    int rank = Math.min(Long.numberOfLeadingZeros((h << PRECISION) | (1L << (PRECISION - 1))) + 1, 63);
    return register << 6 | rank;
  }

  /** FNV-1a over the UTF-8 bytes, then a 64-bit avalanche so every output bit depends on every input bit. */
  static long hash64(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    long h = 0xcbf29ce484222325L;
    for (byte b : bytes) {
      h ^= b & 0xFF;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  void add(int entry) {
    int register = entry >>> 6, rank = entry & 63;
    if (dense != null) {
      if (rank > dense[register]) dense[register] = (byte) rank;
      return;
    }
    int lo = 0, hi = sparseSize;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sparse[mid] >>> 6 < register) lo = mid + 1;
      else hi = mid;
    }
    if (lo < sparseSize && sparse[lo] >>> 6 == register) {
      if (rank > (sparse[lo] & 63)) sparse[lo] = entry;
      return;
    }
    if (sparseSize == SPARSE_LIMIT) {
      toDense();
      add(entry);
      return;
    }
    if (sparseSize == sparse.length) sparse = Arrays.copyOf(sparse, sparse.length * 2);
    System.arraycopy(sparse, lo, sparse, lo + 1, sparseSize - lo);
    sparse[lo] = entry;
    sparseSize++;
  }

  private void toDense() {
    dense = new byte[REGISTERS];
    for (int i = 0; i < sparseSize; i++) dense[sparse[i] >>> 6] = (byte) (sparse[i] & 63);
    sparse = null;
    sparseSize = 0;
  }

  void write(ByteOut out) {
    if (dense != null) {
      out.u8(1);
      out.bytes(dense, 0, dense.length);
      return;
    }
    out.u8(0).varlong(sparseSize);
    int previous = 0;
    for (int i = 0; i < sparseSize; i++) {
      out.varlong(sparse[i] - previous);
      previous = sparse[i];
    }
  }

  static DistinctSketch read(ByteIn in) {
    DistinctSketch s = new DistinctSketch();
    if (in.u8() == 1) {
      int from = in.skipBytes();
      s.dense = Arrays.copyOfRange(in.buf, from, from + REGISTERS);
      s.sparse = null;
      return s;
    }
    int n = (int) in.varlong();
    s.sparse = new int[Math.max(4, n)];
    int value = 0;
    for (int i = 0; i < n; i++) s.sparse[i] = value += (int) in.varlong();
    s.sparseSize = n;
    return s;
  }
}
