import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { murmur3x86128, murmur3x86128Bytes } from '../../tabs/sketches/murmur3-x86-128';
import { nativeSketchAnswers as native } from '../support/native-sketch-answers';

describe('murmur3x86128', () => {
  it('gives the words the native murmurhash3 gave, for ASCII, 2- 3- 4-byte UTF-8, emoji and lone surrogates', () => {
    const out = new Uint32Array(4);
    expect(native.hashes.length).toBeGreaterThan(1000);
    for (const { value, words } of native.hashes) {
      murmur3x86128(value, out);
      expect([...out], JSON.stringify(value)).toEqual(words);
    }
  });

  it("hashes a well-formed string's UTF-8 bytes (as Buffer encodes them)", () => {
    const a = new Uint32Array(4);
    const b = new Uint32Array(4);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (value) => {
        const bytes = Buffer.from(value, 'utf8');
        murmur3x86128(value, a);
        murmur3x86128Bytes(bytes, bytes.length, b);
        expect([...a]).toEqual([...b]);
      }),
      { numRuns: 500 },
    );
  });

  it('hashes a long string as well as a short one (its buffer grows)', () => {
    const out = new Uint32Array(4);
    const long = '😀é'.repeat(5_000);
    const bytes = Buffer.from(long, 'utf8');
    const expected = new Uint32Array(4);
    murmur3x86128Bytes(bytes, bytes.length, expected);
    murmur3x86128(long, out);
    expect([...out]).toEqual([...expected]);
  });
});
