// What the dashboard plots per Tab: how many events it has counted (its rate
// is the change of that) and its key figure, the one number that says most
// about a Tab of its type.
import type { RenderedAggregate } from '../state/aggregate';

/** Per type, the key figure's name as the dashboard shows it. */
export const KEY_FIGURES: Readonly<Record<string, string>> = {
  counter: 'total, 1m',
  percentile: 'p50, 1m',
  unique: 'distinct, 1m',
  gauge: 'value',
  buffer: 'latest value',
};

const finite = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const field = (cell: unknown, name: string): unknown => (cell !== null && typeof cell === 'object' ? (cell as Record<string, unknown>)[name] : undefined);

/** Events the Tab has counted over all time (every built-in type renders `all.count`); null when it does not say. */
export function eventCount(a: RenderedAggregate): number | null {
  return finite(field(a.all, 'count'));
}

/** The Tab's key figure (KEY_FIGURES), or null for a type without one or a window without events. */
export function keyFigure(a: RenderedAggregate): number | null {
  switch (a.type) {
    case 'counter':
      return finite(field(a['1m'], 'total'));
    case 'percentile':
      return finite(field(field(a.percentiles, '1m'), 'p50'));
    case 'unique':
      return finite(field(a['1m'], 'distinct'));
    case 'gauge':
      return finite(a.value);
    case 'buffer':
      return Array.isArray(a.values) && a.values.length > 0 ? finite(field(a.values[0], 'value')) : null;
    default:
      return null;
  }
}
