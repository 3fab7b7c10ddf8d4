// The distinct count a set of HyperLogLog registers estimates, computed as
// the `hyperloglog` package (0.1.2) did, to the last bit: the raw estimate
// α·m²/Σ2^-r summed in register order, linear counting m·ln(m/zeros) below
// 2.5·m while a register is zero, rounded half up. Stored sketches were read
// with it, so the same registers must keep giving the same count
// (test/unit/fixtures/native-murmur3-hyperloglog.json has its answers).

/** 2^-rank for every rank a register can hold (exact: powers of two). */
const INVERSE_POWERS = Float64Array.from({ length: 256 }, (_, rank) => Math.pow(2, -rank));

export function hyperLogLogEstimate(registers: Uint8Array): number {
  const m = registers.length;
  // The package's α·m², in its order of operations.
  const alphaTimesMSquared = (0.7213 / (1 + 1.079 / m)) * m * m;
  const { sum: sumOfInverses, zeros } = sumsOfInverses(registers);
  const estimate = alphaTimesMSquared / sumOfInverses;
  if (zeros > 0 && estimate < (5 / 2) * m) return linearCounting(m, zeros);
  return Math.floor(estimate + 0.5);
}

/** The estimate of m registers of which `zeros` are zero, by linear counting (the estimator's small-range branch), rounded as it rounds. */
export function linearCounting(m: number, zeros: number): number {
  return Math.floor(m * Math.log(m / zeros) + 0.5);
}

/** sumsOfInverses' answer, one object reused (a query estimates thousands of windows). */
const sums = { sum: 0, zeros: 0 };

/**
 * Σ2^-r over the registers, and how many are zero. While every rank is
 * below 32 each partial sum is a multiple of 2^-31 of at most 2^16 (one
 * per register, 2^16 registers at most here): 47 bits, exact in a double
 * whatever the order, so four sums run
 * side by side (one chain of additions waited on each add) and give the
 * bits the package's register-order sum gives. A rank of 32 or more (a
 * chance of 2^-31 per value) takes that sum itself.
 */
function sumsOfInverses(registers: Uint8Array): { sum: number; zeros: number } {
  const m = registers.length;
  if (m % 4 === 0 && m <= 1 << 16) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let set = 0;
    let any = 0;
    for (let i = 0; i < m; i += 4) {
      const a = registers[i]!;
      const b = registers[i + 1]!;
      const c = registers[i + 2]!;
      const d = registers[i + 3]!;
      any |= a | b | c | d;
      s0 += INVERSE_POWERS[a]!;
      s1 += INVERSE_POWERS[b]!;
      s2 += INVERSE_POWERS[c]!;
      s3 += INVERSE_POWERS[d]!;
      // 1 for a rank 1-31, 0 for 0 (ranks past 31 are summed again below).
      set += ((a + 31) >>> 5) + ((b + 31) >>> 5) + ((c + 31) >>> 5) + ((d + 31) >>> 5);
    }
    if (any < 32) {
      sums.sum = s0 + s1 + s2 + s3;
      sums.zeros = m - set;
      return sums;
    }
  }
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < m; i++) {
    const rank = registers[i]!;
    if (rank === 0) zeros++;
    sum += INVERSE_POWERS[rank]!;
  }
  sums.sum = sum;
  sums.zeros = zeros;
  return sums;
}
