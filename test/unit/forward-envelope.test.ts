import { describe, expect, it } from 'vitest';
import { MAX_ENVELOPE_BYTES, decodeEnvelope, encodeEnvelopes, envelopePosition } from '../../topology/runtime/forward-envelope';

describe('forward envelopes', () => {
  it('keeps a small set of tuples in one envelope', () => {
    const [one, ...rest] = encodeEnvelopes({ s: 'tabs:1', o: '42', c: 'fold', t: [{ tab: 'a' }] });
    expect(rest).toEqual([]);
    expect(decodeEnvelope(one!)).toEqual({ s: 'tabs:1', o: '42', c: 'fold', t: [{ tab: 'a' }] });
  });

  it('splits tuples too large for one message into ordered parts that carry them all', () => {
    const tuples = Array.from({ length: 5000 }, (_, i) => ({ tab: `t${i}`, pad: 'x'.repeat(200) }));
    const parts = encodeEnvelopes({ s: 'tabs:0', o: '7', c: 'fold', t: tuples }).map((b) => {
      expect(b.length).toBeLessThanOrEqual(MAX_ENVELOPE_BYTES);
      return decodeEnvelope(b)!;
    });
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.flatMap((p) => p.t)).toEqual(tuples);
    const positions = parts.map(envelopePosition);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // Every part of offset 7 sorts after any part of offset 6 and before offset 8.
    expect(positions[0]).toBeGreaterThan(envelopePosition({ s: 'tabs:0', o: '6', c: 'fold', t: [], p: 1000 }));
    expect(positions[positions.length - 1]).toBeLessThan(envelopePosition({ s: 'tabs:0', o: '8', c: 'fold', t: [] }));
  });

  it('refuses what is not an envelope', () => {
    expect(decodeEnvelope(Buffer.from('{"s":1}'))).toBeNull();
    expect(decodeEnvelope(Buffer.from('nope'))).toBeNull();
    expect(decodeEnvelope(Buffer.from('{"s":"a","o":"1","c":"f","t":[],"p":-1}'))).toBeNull();
    expect(decodeEnvelope(null)).toBeNull();
  });
});
