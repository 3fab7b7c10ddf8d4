import type { TabEvent } from '../tabs/event';
import type { Rejection } from './rejection';

/**
 * A Tab's first type wins: once a Tab is known as, say, a counter, an event
 * for it with another type is refused rather than folded into the wrong state.
 * Returns the rejection, or undefined when the event may be folded (the Tab is
 * new, or the types agree).
 */
export function checkStickyType(establishedType: string | undefined, event: TabEvent): Rejection | undefined {
  if (establishedType === undefined || establishedType === event.type) return undefined;
  return {
    reason: 'type-mismatch',
    message: `tab '${event.tab}' is a ${establishedType}, not a ${event.type}`,
    raw: event,
  };
}
