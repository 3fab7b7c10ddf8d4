package dev.tabstream.peer;

import java.util.Arrays;

/** A growable byte buffer with varints and little-endian doubles: the peer's state encoding. */
final class ByteOut {
  private byte[] buf;
  private int len;

  ByteOut(int capacity) {
    buf = new byte[capacity];
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
  }

  ByteOut u8(int v) {
    ensure(1);
    buf[len++] = (byte) v;
    return this;
  }

  ByteOut varlong(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[len++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[len++] = (byte) v;
    return this;
  }

  ByteOut f64(double d) {
    long bits = Double.doubleToRawLongBits(d);
    ensure(8);
    for (int i = 0; i < 8; i++) buf[len++] = (byte) (bits >>> (8 * i));
    return this;
  }

  ByteOut bytes(byte[] b, int from, int n) {
    varlong(n);
    ensure(n);
    System.arraycopy(b, from, buf, len, n);
    len += n;
    return this;
  }

  byte[] toArray() {
    return Arrays.copyOf(buf, len);
  }
}
