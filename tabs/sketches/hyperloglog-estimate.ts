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
  let sumOfInverses = 0;
  let zeros = 0;
  for (let i = 0; i < m; i++) {
    const rank = registers[i];
    if (rank === 0) zeros++;
    sumOfInverses += INVERSE_POWERS[rank];
  }
  const estimate = alphaTimesMSquared / sumOfInverses;
  if (zeros > 0 && estimate < (5 / 2) * m) return linearCounting(m, zeros);
  return Math.floor(estimate + 0.5);
}

/** The estimate of m registers of which `zeros` are zero, by linear counting (the estimator's small-range branch), rounded as it rounds. */
export function linearCounting(m: number, zeros: number): number {
  return Math.floor(m * Math.log(m / zeros) + 0.5);
}
