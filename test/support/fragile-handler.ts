// A Tab type for tests of processing errors: a counter whose fold throws on
// the value 13 (so the fold bolt throws, inside the parse bolt's emit).
import { defaultRegistry, type HandlerRegistry } from '../../tabs/handlers/registry';

export const FRAGILE_ERROR = 'unlucky value';

/** The default registry plus the `fragile` type. */
export function registryWithFragile(): HandlerRegistry {
  const registry = defaultRegistry();
  const counter = registry.get('counter')!;
  // Folded event by event (no run: a run's fold would be the counter's).
  const fragile = { ...counter, type: 'fragile', newRun: undefined, fold: (state: unknown, e: { value: unknown }) => {
    if (e.value === 13) throw new Error(FRAGILE_ERROR);
    counter.fold(state, e as never);
  } };
  registry.register(fragile as typeof counter);
  return registry;
}
