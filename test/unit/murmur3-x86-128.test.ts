import { describe, expect, it } from 'vitest';
import HyperLogLog from 'hyperloglog';
import { isAscii, murmur3x86128Ascii } from '../../state/sketches/murmur3-x86-128';
import { SeededRandom } from '../../client/seeded-random';

describe('murmur3x86128Ascii', () => {
  it('gives the native murmurhash3 words for ASCII strings of every length and tail', () => {
    const random = new SeededRandom(3);
    const out = new Uint32Array(4);
    for (let i = 0; i < 20_000; i++) {
      const length = i < 200 ? i % 70 : Math.floor(random.next() * 300);
      let value = '';
      for (let c = 0; c < length; c++) value += String.fromCharCode(1 + Math.floor(random.next() * 0x7f));
      if (value.includes('\0')) continue;
      murmur3x86128Ascii(value, out);
      expect([...out], JSON.stringify(value)).toEqual(HyperLogLog.hash(value));
    }
  });

  it('tells ASCII strings apart from the rest', () => {
    expect(isAscii('user-17')).toBe(true);
    expect(isAscii('')).toBe(true);
    expect(isAscii('\x7f')).toBe(true);
    expect(isAscii('é')).toBe(false);
    expect(isAscii('😀')).toBe(false);
  });
});
