import { describe, expect, it } from 'vitest';
import { tabSamples } from '../../ui/tab-metrics';

describe('Tab samples from a rendered aggregate', () => {
  it('maps windows, percentiles, a gauge value and a custom type’s numbers to bounded families; skips times, arrays and non-numbers', () => {
    const samples = tabSamples('taba', {
      name: 'latency',
      type: 'percentile',
      clients: 2,
      '1m': { count: 4, total: 10, average: 2.5 },
      all: { count: 9, total: 20, average: null },
      percentiles: { '1m': { p50: 2, 'p99.9': 4, mean: 3 } },
      value: 7,
      time: 1700000000000,
      values: [{ value: 1, time: 2 }],
      '1h': { count: 1, min: -3, 'bad name': 5, time: 99 },
    });
    const base = { topology: 'taba', tab: 'latency', type: 'percentile' };
    expect(samples.get('tabstream_tab_clients')).toEqual([[base, 2]]);
    expect(samples.get('tabstream_tab_events')).toEqual([[{ ...base, window: '1m' }, 4], [{ ...base, window: 'all' }, 9], [{ ...base, window: '1h' }, 1]]);
    expect(samples.get('tabstream_tab_sum')).toEqual([[{ ...base, window: '1m' }, 10], [{ ...base, window: 'all' }, 20]]);
    expect(samples.get('tabstream_tab_average')).toEqual([[{ ...base, window: '1m' }, 2.5]]);
    expect(samples.get('tabstream_tab_percentile')).toEqual([[{ ...base, window: '1m', quantile: '0.5' }, 2], [{ ...base, window: '1m', quantile: '0.999' }, 4]]);
    expect(samples.get('tabstream_tab_value')).toEqual([[base, 7]]);
    expect(samples.get('tabstream_tab_figure')).toEqual([[{ ...base, window: '1h', field: 'min' }, -3]]);
    expect([...samples.keys()].sort()).toEqual(['tabstream_tab_average', 'tabstream_tab_clients', 'tabstream_tab_events', 'tabstream_tab_figure', 'tabstream_tab_percentile', 'tabstream_tab_sum', 'tabstream_tab_value']);
  });
});
