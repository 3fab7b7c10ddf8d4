// MurmurHash3 x86 128-bit (Austin Appleby's public-domain algorithm), seed 0,
// in JavaScript for strings of ASCII characters: the same four words as the
// native `murmurhash3` package gives for them (it hashes a string's UTF-8
// bytes, which for ASCII are its char codes), without the call into C++ and
// the string copy the native call makes. The distinct-count sketches hash
// every `unique` event this way, so their registers match the native hash's.
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

/** True when every char code is below 0x80 (the string's UTF-8 bytes are its char codes). */
export function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Reads 4 chars at `i` as a little-endian 32-bit word (chars < 0x80). */
function word(value: string, i: number): number {
  return value.charCodeAt(i) | (value.charCodeAt(i + 1) << 8) | (value.charCodeAt(i + 2) << 16) | (value.charCodeAt(i + 3) << 24);
}

/** Writes the hash of an ASCII string into `out` as four unsigned 32-bit words. */
export function murmur3x86128Ascii(value: string, out: Uint32Array): void {
  const length = value.length;
  const blocks = length - (length & 15);
  let h1 = 0;
  let h2 = 0;
  let h3 = 0;
  let h4 = 0;
  for (let i = 0; i < blocks; i += 16) {
    let k1 = word(value, i);
    let k2 = word(value, i + 4);
    let k3 = word(value, i + 8);
    let k4 = word(value, i + 12);
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
    case 15: k4 ^= value.charCodeAt(blocks + 14) << 16; // falls through
    case 14: k4 ^= value.charCodeAt(blocks + 13) << 8; // falls through
    case 13:
      k4 ^= value.charCodeAt(blocks + 12);
      h4 ^= Math.imul(rotl(Math.imul(k4, C4), 18), C1);
    // falls through
    case 12: k3 ^= value.charCodeAt(blocks + 11) << 24; // falls through
    case 11: k3 ^= value.charCodeAt(blocks + 10) << 16; // falls through
    case 10: k3 ^= value.charCodeAt(blocks + 9) << 8; // falls through
    case 9:
      k3 ^= value.charCodeAt(blocks + 8);
      h3 ^= Math.imul(rotl(Math.imul(k3, C3), 17), C4);
    // falls through
    case 8: k2 ^= value.charCodeAt(blocks + 7) << 24; // falls through
    case 7: k2 ^= value.charCodeAt(blocks + 6) << 16; // falls through
    case 6: k2 ^= value.charCodeAt(blocks + 5) << 8; // falls through
    case 5:
      k2 ^= value.charCodeAt(blocks + 4);
      h2 ^= Math.imul(rotl(Math.imul(k2, C2), 16), C3);
    // falls through
    case 4: k1 ^= value.charCodeAt(blocks + 3) << 24; // falls through
    case 3: k1 ^= value.charCodeAt(blocks + 2) << 16; // falls through
    case 2: k1 ^= value.charCodeAt(blocks + 1) << 8; // falls through
    case 1:
      k1 ^= value.charCodeAt(blocks + 0);
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
