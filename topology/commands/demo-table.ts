// The demo's compact table of live aggregates: one row per Tab with its type,
// client count, events in the last minute, events all time and the figure
// that says most about its type (total, p50/p99, distinct, last value).
import type { RenderedAggregate } from '../../state/tab-query';

export interface DemoRow {
  tab: string;
  type: string;
  clients: number;
  /** Events in the 1m window; null for types without windows (gauge, buffer). */
  lastMinute: number | null;
  allTime: number;
  /** The type's key figure over all time, e.g. `p50 0.25  p99 1.1`. */
  figure: string;
}

type Window = { count?: number; total?: number; distinct?: number } | undefined;

const TYPE_ORDER = ['counter', 'gauge', 'percentile', 'unique', 'buffer'];

/** Up to 4 significant digits, integers in full: 1234567, 0.2513, 12.5. */
export function shortNumber(x: unknown): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return x === null || x === undefined ? '-' : String(x);
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(4)));
}

function keyFigure(a: RenderedAggregate): string {
  const all = a.all as Window;
  switch (a.type) {
    case 'counter':
      return `total ${shortNumber(all?.total)}`;
    case 'percentile': {
      const p = (a.percentiles as Record<string, Record<string, number | null>> | undefined)?.all;
      return `p50 ${shortNumber(p?.p50)}  p99 ${shortNumber(p?.p99)}`;
    }
    case 'unique':
      return `distinct ${shortNumber(all?.distinct)}`;
    case 'gauge':
      return `last ${shortNumber(a.value)}`;
    case 'buffer': {
      const values = (a.values as Array<{ value: unknown }> | undefined) ?? [];
      return `latest ${values.slice(0, 3).map((v) => shortNumber(v.value)).join(', ') || '-'}`;
    }
    default:
      return '';
  }
}

export function demoRow(a: RenderedAggregate): DemoRow {
  const minute = a['1m'] as Window;
  const all = a.all as Window;
  return {
    tab: a.name,
    type: a.type,
    clients: a.clients,
    lastMinute: typeof minute?.count === 'number' ? minute.count : null,
    allTime: typeof all?.count === 'number' ? all.count : 0,
    figure: keyFigure(a),
  };
}

/** Rows grouped by type (counters first), then by Tab name. */
export function demoRows(aggregates: Record<string, RenderedAggregate>): DemoRow[] {
  const rank = (type: string): number => (TYPE_ORDER.includes(type) ? TYPE_ORDER.indexOf(type) : TYPE_ORDER.length);
  return Object.values(aggregates)
    .map(demoRow)
    .sort((a, b) => rank(a.type) - rank(b.type) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0) || (a.tab < b.tab ? -1 : 1));
}

/**
 * At most `max` of `rows`, taken in turns from each type (busiest Tabs first),
 * so a short terminal still shows every type; in the rows' own order.
 */
export function pickRows(rows: DemoRow[], max: number): DemoRow[] {
  if (rows.length <= max) return rows;
  const byType = new Map<string, DemoRow[]>();
  for (const r of rows) byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
  const queues = [...byType.values()].map((list) => [...list].sort((a, b) => b.allTime - a.allTime));
  const picked = new Set<DemoRow>();
  while (picked.size < max) {
    for (const queue of queues) if (picked.size < max && queue.length > 0) picked.add(queue.shift()!);
  }
  return rows.filter((r) => picked.has(r));
}

/**
 * The table as lines. With `maxRows`, a selection of every type is shown and
 * the rest summed up in one last line, so a refresh in place never scrolls
 * the terminal.
 */
export function renderDemoTable(rows: DemoRow[], maxRows = Infinity): string[] {
  const tabWidth = Math.min(32, Math.max(3, ...rows.map((r) => r.tab.length)));
  const line = (tab: string, type: string, clients: string, minute: string, all: string, figure: string): string =>
    `${tab.slice(0, tabWidth).padEnd(tabWidth)}  ${type.padEnd(10)}  ${clients.padStart(7)}  ${minute.padStart(8)}  ${all.padStart(9)}  ${figure}`.trimEnd();
  const lines = [line('Tab', 'type', 'clients', '1m count', 'all count', 'all time')];
  if (rows.length === 0) {
    lines.push('(no aggregates yet)');
    return lines;
  }
  const shown = rows.length > maxRows ? pickRows(rows, Math.max(1, maxRows - 1)) : rows;
  for (const r of shown) {
    lines.push(line(r.tab, r.type, String(r.clients), r.lastMinute === null ? '-' : String(r.lastMinute), String(r.allTime), r.figure));
  }
  if (shown.length < rows.length) lines.push(`… and ${rows.length - shown.length} more Tabs (npx topology query tabs)`);
  return lines;
}
