import type { HeldStates } from '../contracts/working-set';

const FORMS = ['thawed', 'resting', 'frozen'];
const MB = 1e6;

/** A table row: a form, kind and type, or a type's states in every form and kind ('all'). */
type Row = Omit<HeldStates, 'form' | 'kind'> & { form: string; kind: string };

/**
 * A working set's description (WorkingSet.describe) as a table: per form,
 * kind and type, the states, what the working set counts for them and their
 * stored size, in all and per state, and the one over the other; then each
 * type over all its states, whatever their form (issue 11 asks heap within
 * 2x of the stored size for every type: where a task's states are, most
 * frozen, this says how far each type's are).
 */
export function heldStatesTable(rows: readonly HeldStates[]): string {
  const sorted: Row[] = [...rows].sort((a, b) => FORMS.indexOf(a.form) - FORMS.indexOf(b.form) || a.kind.localeCompare(b.kind) || b.heapBytes - a.heapBytes);
  const byType = new Map<string, Row>();
  for (const r of rows) {
    const all = byType.get(r.type) ?? { form: 'all', kind: 'all', type: r.type, states: 0, heapBytes: 0, storedBytes: 0 };
    all.states += r.states;
    all.heapBytes += r.heapBytes;
    all.storedBytes += r.storedBytes;
    byType.set(r.type, all);
  }
  const types = [...byType.values()].sort((a, b) => b.heapBytes - a.heapBytes);
  const heap = types.reduce((sum, r) => sum + r.heapBytes, 0);
  const stored = types.reduce((sum, r) => sum + r.storedBytes, 0);
  const lines = ['form     kind    type         states     heap MB  stored MB  heap/state  stored/state  heap÷stored'];
  for (const r of [...sorted, ...types]) {
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
  lines.push(`in all ${(heap / MB).toFixed(1)} MB counted for ${(stored / MB).toFixed(1)} MB stored${stored > 0 ? ` (${(heap / stored).toFixed(2)}x)` : ''}`);
  return lines.join('\n');
}
