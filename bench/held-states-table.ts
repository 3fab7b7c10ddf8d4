import type { HeldStates } from '../contracts/working-set';

const FORMS = ['thawed', 'resting', 'frozen'];
const MB = 1e6;

/**
 * A working set's description (WorkingSet.describe) as a table: per form,
 * kind and type, the states, what the working set counts for them and their
 * stored size, in all and per state, and the one over the other.
 */
export function heldStatesTable(rows: readonly HeldStates[]): string {
  const sorted = [...rows].sort((a, b) => FORMS.indexOf(a.form) - FORMS.indexOf(b.form) || a.kind.localeCompare(b.kind) || b.heapBytes - a.heapBytes);
  const lines = ['form     kind    type         states     heap MB  stored MB  heap/state  stored/state  heap÷stored'];
  let heap = 0;
  for (const r of sorted) {
    heap += r.heapBytes;
    const ratio = r.storedBytes > 0 ? (r.heapBytes / r.storedBytes).toFixed(1) : '-';
    lines.push(
      [
        r.form.padEnd(8),
        r.kind.padEnd(7),
        r.type.padEnd(10),
        r.states.toLocaleString('en-US').padStart(9),
        (r.heapBytes / MB).toFixed(1).padStart(10),
        (r.storedBytes / MB).toFixed(1).padStart(10),
        `${Math.round(r.heapBytes / r.states).toLocaleString('en-US')} B`.padStart(11),
        `${Math.round(r.storedBytes / r.states).toLocaleString('en-US')} B`.padStart(13),
        ratio.padStart(12),
      ].join(' '),
    );
  }
  lines.push(`in all ${(heap / MB).toFixed(1)} MB counted`);
  return lines.join('\n');
}
