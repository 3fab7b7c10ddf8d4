import { describe, expect, it } from 'vitest';
import { Counter, Histogram, Registry } from 'prom-client';
import { parsePrometheusText, samplesOf, sumOf } from '../support/prometheus-text';

describe('the Prometheus text reader the /metrics tests use', () => {
  it('reads what prom-client writes: labels with escapes, histograms', async () => {
    const registry = new Registry();
    new Counter({ name: 'x_total', help: 'h', labelNames: ['a'], registers: [registry] }).inc({ a: 'q"uo\\te' }, 3);
    new Histogram({ name: 'd_seconds', help: 'h', buckets: [1], registers: [registry] }).observe(0.5);
    const text = parsePrometheusText(await registry.metrics());
    expect(samplesOf(text, 'x_total')).toEqual([{ name: 'x_total', labels: { a: 'q"uo\\te' }, value: 3 }]);
    expect(text.types.get('d_seconds')).toBe('histogram');
    expect(sumOf(text, 'd_seconds_bucket', { le: '+Inf' })).toBe(1);
  });

  it('refuses what is not the format', () => {
    expect(() => parsePrometheusText('# TYPE a gauge\na 1\n{a} 1\n')).toThrow(/not a sample line/);
    expect(() => parsePrometheusText('a 1\n')).toThrow(/undeclared/);
    expect(() => parsePrometheusText('# TYPE a gauge\na{b=1} 1\n')).toThrow(/bad labels/);
    expect(() => parsePrometheusText('# TYPE a gauge\na one\n')).toThrow(/bad sample value/);
    expect(() => parsePrometheusText('# TYPE a meter\n')).toThrow(/bad TYPE/);
  });
});
