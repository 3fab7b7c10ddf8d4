import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hyperLogLogEstimate } from '../../tabs/sketches/hyperloglog-estimate';
import { registerSet } from '../support/register-sets';
import { nativeSketchAnswers as native } from '../support/native-sketch-answers';

/** The estimator as the package wrote it: Σ2^-r summed in register order. */
function registerOrderEstimate(registers: Uint8Array): number {
  const m = registers.length;
  let sum = 0;
  let zeros = 0;
  for (const rank of registers) {
    if (rank === 0) zeros++;
    sum += Math.pow(2, -rank);
  }
  const estimate = ((0.7213 / (1 + 1.079 / m)) * m * m) / sum;
  if (zeros > 0 && estimate < 2.5 * m) return Math.floor(m * Math.log(m / zeros) + 0.5);
  return Math.floor(estimate + 0.5);
}

describe('hyperLogLogEstimate', () => {
  it('gives the hyperloglog package\'s estimate for register sets from empty to full, low ranks to the highest', () => {
    expect(native.estimatesOfRegisters.length).toBeGreaterThan(40);
    for (const { spec, estimate } of native.estimatesOfRegisters) {
      expect(hyperLogLogEstimate(registerSet(spec)), JSON.stringify(spec)).toBe(estimate);
    }
  });

  it('sums side by side to the bits of the register-order sum, ranks below 32 or not', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 63 }),
        fc.integer({ min: 0, max: 16383 }),
        fc.integer(),
        (density, high, at, seed) => {
          // Geometric ranks (half 1, a quarter 2, ...) in a `density` share of the registers, one register at `high`.
          const registers = new Uint8Array(16384);
          let x = seed >>> 0 || 1;
          const next = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0), x / 2 ** 32);
          for (let i = 0; i < registers.length; i++) {
            if (next() >= density) continue;
            let rank = 1;
            while (rank < 31 && next() < 0.5) rank++;
            registers[i] = rank;
          }
          registers[at] = high;
          expect(hyperLogLogEstimate(registers)).toBe(registerOrderEstimate(registers));
        },
      ),
      { numRuns: 300 },
    );
  });
});
