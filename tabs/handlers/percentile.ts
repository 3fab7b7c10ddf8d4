import { windowedHandler } from './windowed-handler';
import { renderCountTotal, type RenderedCountTotal } from './counter';
import { newSketch, sketchCount, sketchQuantiles, sketchSum, type QuantileSketch } from '../sketches/quantile-sketch';
import { quantileCell } from '../windows/quantile-cell';
import { SKETCH_WINDOWS } from '../windows/window-spec';
import { WindowedCells, type WindowCells } from '../windows/windowed-cells';

export type PercentileProjection = WindowCells<QuantileSketch>;

/** The rendered percentiles, by key. */
export const PERCENTILES: ReadonlyArray<readonly [string, number]> = [
  ['p25', 0.25],
  ['p50', 0.5],
  ['p75', 0.75],
  ['p90', 0.9],
  ['p95', 0.95],
  ['p99', 0.99],
  ['p99.9', 0.999],
];

/** PERCENTILES' quantiles (ascending, as sketchQuantiles needs), and room for their values. */
const QUANTILES = PERCENTILES.map(([, q]) => q);
const values: number[] = QUANTILES.map(() => 0);

const windows = new WindowedCells(SKETCH_WINDOWS, quantileCell);

/** Percentiles (each within 1 % of the exact value) per window, with count, total and average. */
export function renderPercentiles(sketch: QuantileSketch): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  const empty = sketchCount(sketch) === 0;
  if (!empty) sketchQuantiles(sketch, QUANTILES, values);
  for (let i = 0; i < PERCENTILES.length; i++) out[PERCENTILES[i]![0]] = empty ? null : values[i]!;
  return out;
}

export const percentileHandler = windowedHandler({
  type: 'percentile',
  valueKind: 'number',
  windows,
  render(projection: PercentileProjection) {
    const out: Record<string, RenderedCountTotal | Record<string, Record<string, number | null>>> = {};
    const percentiles: Record<string, Record<string, number | null>> = {};
    for (const name of windows.names()) {
      const sketch = projection[name] ?? newSketch();
      out[name] = renderCountTotal(sketchCount(sketch), sketchSum(sketch));
      percentiles[name] = renderPercentiles(sketch);
    }
    out.percentiles = percentiles;
    return out;
  },
});
