package dev.tabstream.peer;

/** Reads what {@link ByteOut} wrote. */
final class ByteIn {
  final byte[] buf;
  int at;

  ByteIn(byte[] buf) {
    this.buf = buf;
  }

  int u8() {
    return buf[at++] & 0xFF;
  }

  long varlong() {
    long v = 0;
    int shift = 0;
    while (true) {
      byte b = buf[at++];
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) return v;
      shift += 7;
    }
  }

  double f64() {
    long bits = 0;
    for (int i = 0; i < 8; i++) bits |= (long) (buf[at++] & 0xFF) << (8 * i);
    return Double.longBitsToDouble(bits);
  }

  /** A length-prefixed byte range: returns its start and moves past it. */
  int skipBytes() {
    int n = (int) varlong();
    int start = at;
    at += n;
    return start;
  }
}
