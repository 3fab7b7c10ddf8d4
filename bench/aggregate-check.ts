// Exactness: every Tab's all-time count (and total, where it has one) as
// stored must equal what the workload produced, as the pipeline tests check.
import type { TabExpectation } from './workload';

export interface TabActual {
  type: string;
  count: number;
  total: number;
}

/** Percentile totals are float sums, added in another order than the generator's. */
const RELATIVE_TOLERANCE = 1e-9;

/** What differs, one line per Tab (at most `limit` lines); empty when exact. */
export function aggregateProblems(actual: Map<string, TabActual>, expected: Map<string, TabExpectation>, limit = 10): string[] {
  const problems: string[] = [];
  for (const [tab, e] of expected) {
    const a = actual.get(tab);
    const totalOff = Math.abs((a?.total ?? 0) - e.total) > RELATIVE_TOLERANCE * Math.max(1, Math.abs(e.total));
    if (a === undefined) problems.push(`${tab}: missing`);
    else if (a.type !== e.type || a.count !== e.count || totalOff) {
      problems.push(`${tab}: got ${a.type} ${a.count}/${a.total}, want ${e.type} ${e.count}/${e.total}`);
    }
  }
  for (const tab of actual.keys()) if (!expected.has(tab)) problems.push(`${tab}: unexpected`);
  return problems.slice(0, limit);
}
