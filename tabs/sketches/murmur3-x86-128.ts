// MurmurHash3 x86 128-bit (Austin Appleby's public-domain algorithm), seed 0,
// of a string's UTF-8 bytes: the same four words as the native `murmurhash3`
// package (0.5.0, through `hyperloglog`) gave for the same string, which the
// distinct-count sketches once hashed with. Their stored registers were
// picked by those words, so this hash must never change.
//
// The native call took V8's UTF-8 of the string (String::Utf8Value): a
// surrogate pair is one 4-byte character, and a lone surrogate is written as
// the 3-byte form of its own code (not as U+FFFD, which TextEncoder and
// Buffer write). The fixture test/unit/fixtures/native-murmur3-hyperloglog.json
// keeps the native package's answers.
const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The encoded bytes of the last string hashed; grown as needed (a string of n chars takes at most 3n bytes). */
let scratch = new Uint8Array(256);

/** Writes the hash of `value`'s UTF-8 bytes into `out` as four unsigned 32-bit words. */
export function murmur3x86128(value: string, out: Uint32Array): void {
  if (scratch.length < value.length * 3) scratch = new Uint8Array(value.length * 3);
  murmur3x86128Bytes(scratch, utf8Into(value, scratch), out);
}

/** Writes V8's UTF-8 of `value` into `bytes` and returns its length (see the header for lone surrogates). */
function utf8Into(value: string, bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    let c = value.charCodeAt(i);
    if (c < 0x80) {
      bytes[n++] = c;
      continue;
    }
    if (c < 0x800) {
      bytes[n++] = 0xc0 | (c >>> 6);
      bytes[n++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const low = value.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
        bytes[n++] = 0xf0 | (c >>> 18);
        bytes[n++] = 0x80 | ((c >>> 12) & 0x3f);
        bytes[n++] = 0x80 | ((c >>> 6) & 0x3f);
        bytes[n++] = 0x80 | (c & 0x3f);
        continue;
      }
    }
    bytes[n++] = 0xe0 | (c >>> 12);
    bytes[n++] = 0x80 | ((c >>> 6) & 0x3f);
    bytes[n++] = 0x80 | (c & 0x3f);
  }
  return n;
}

/** Reads 4 bytes at `i` as a little-endian 32-bit word. */
function word(bytes: Uint8Array, i: number): number {
  return bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
}

/** Writes the hash of the first `length` bytes of `bytes` into `out`. */
export function murmur3x86128Bytes(bytes: Uint8Array, length: number, out: Uint32Array): void {
  const blocks = length - (length & 15);
  let h1 = 0;
  let h2 = 0;
  let h3 = 0;
  let h4 = 0;
  for (let i = 0; i < blocks; i += 16) {
    let k1 = word(bytes, i);
    let k2 = word(bytes, i + 4);
    let k3 = word(bytes, i + 8);
    let k4 = word(bytes, i + 12);
    k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2);
    h1 ^= k1;
    h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3);
    h2 ^= k2;
    h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4);
    h3 ^= k3;
    h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1);
    h4 ^= k4;
    h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
  }
  // The tail: up to 15 bytes, into k4..k1 from the highest byte down.
  let k1 = 0;
  let k2 = 0;
  let k3 = 0;
  let k4 = 0;
  switch (length & 15) {
    case 15: k4 ^= bytes[blocks + 14] << 16; // falls through
    case 14: k4 ^= bytes[blocks + 13] << 8; // falls through
    case 13:
      k4 ^= bytes[blocks + 12];
      h4 ^= Math.imul(rotl(Math.imul(k4, C4), 18), C1);
    // falls through
    case 12: k3 ^= bytes[blocks + 11] << 24; // falls through
    case 11: k3 ^= bytes[blocks + 10] << 16; // falls through
    case 10: k3 ^= bytes[blocks + 9] << 8; // falls through
    case 9:
      k3 ^= bytes[blocks + 8];
      h3 ^= Math.imul(rotl(Math.imul(k3, C3), 17), C4);
    // falls through
    case 8: k2 ^= bytes[blocks + 7] << 24; // falls through
    case 7: k2 ^= bytes[blocks + 6] << 16; // falls through
    case 6: k2 ^= bytes[blocks + 5] << 8; // falls through
    case 5:
      k2 ^= bytes[blocks + 4];
      h2 ^= Math.imul(rotl(Math.imul(k2, C2), 16), C3);
    // falls through
    case 4: k1 ^= bytes[blocks + 3] << 24; // falls through
    case 3: k1 ^= bytes[blocks + 2] << 16; // falls through
    case 2: k1 ^= bytes[blocks + 1] << 8; // falls through
    case 1:
      k1 ^= bytes[blocks + 0];
      h1 ^= Math.imul(rotl(Math.imul(k1, C1), 15), C2);
  }
  h1 ^= length;
  h2 ^= length;
  h3 ^= length;
  h4 ^= length;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  out[0] = h1;
  out[1] = h2 + h1;
  out[2] = h3 + h1;
  out[3] = h4 + h1;
}
