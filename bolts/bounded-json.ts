// JSON text of a parsed value, at most `maxChars` of it, without recursion:
// JSON.parse accepts any nesting depth (it is iterative in V8), but
// JSON.stringify and String() recurse and throw a RangeError past a few
// thousand levels, so rendering a hostile message ([[[[...]]]] 10k deep) for
// a rejection message or a dead letter must not use them on the whole value.

type Frame = { array: unknown[]; next: number } | { object: Record<string, unknown>; keys: string[]; next: number };

export interface BoundedJson {
  text: string;
  /** False when the text stops at `maxChars` (or just past it): the value is longer. */
  complete: boolean;
}

/** As JSON.stringify(value) (undefined: `undefined`), cut after about `maxChars` chars; never throws, never recurses. */
export function boundedJson(value: unknown, maxChars: number): BoundedJson {
  const parts: string[] = [];
  let length = 0;
  const put = (s: string): boolean => {
    parts.push(s);
    length += s.length;
    return length <= maxChars;
  };
  const stack: Frame[] = [];
  // Writes a scalar, or opens a container (pushing its frame); false once over the budget.
  const open = (v: unknown): boolean => {
    if (typeof v === 'string') return put(JSON.stringify(v.length > maxChars - length + 1 ? v.slice(0, Math.max(0, maxChars - length + 1)) : v));
    if (typeof v === 'number') return put(Number.isFinite(v) ? String(v) : 'null');
    if (typeof v === 'boolean') return put(v ? 'true' : 'false');
    if (v === null || typeof v !== 'object') return put(v === null ? 'null' : typeof v === 'bigint' ? String(v) : 'null');
    if (Array.isArray(v)) {
      stack.push({ array: v, next: 0 });
      return put('[');
    }
    const object = v as Record<string, unknown>;
    stack.push({ object, keys: Object.keys(object).filter((k) => object[k] !== undefined && typeof object[k] !== 'function'), next: 0 });
    return put('{');
  };
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return { text: 'undefined', complete: true };
  let within = open(value);
  while (within && stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if ('array' in top) {
      if (top.next >= top.array.length) {
        stack.pop();
        within = put(']');
        continue;
      }
      if (top.next > 0 && !put(',')) break;
      const item = top.array[top.next++];
      within = open(item === undefined || typeof item === 'function' || typeof item === 'symbol' ? null : item);
    } else {
      if (top.next >= top.keys.length) {
        stack.pop();
        within = put('}');
        continue;
      }
      if (top.next > 0 && !put(',')) break;
      const key = top.keys[top.next++]!;
      within = put(`${JSON.stringify(key)}:`) && open(top.object[key]);
    }
  }
  const text = parts.join('');
  const complete = within && stack.length === 0;
  return { text: complete ? text : text.slice(0, maxChars), complete };
}
