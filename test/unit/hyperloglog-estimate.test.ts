import { describe, expect, it } from 'vitest';
import { hyperLogLogEstimate } from '../../tabs/sketches/hyperloglog-estimate';
import { registerSet } from '../support/register-sets';
import { nativeSketchAnswers as native } from '../support/native-sketch-answers';

describe('hyperLogLogEstimate', () => {
  it('gives the hyperloglog package\'s estimate for register sets from empty to full, low ranks to the highest', () => {
    expect(native.estimatesOfRegisters.length).toBeGreaterThan(40);
    for (const { spec, estimate } of native.estimatesOfRegisters) {
      expect(hyperLogLogEstimate(registerSet(spec)), JSON.stringify(spec)).toBe(estimate);
    }
  });
});
