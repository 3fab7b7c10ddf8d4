import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Topology } from './dsl';

export interface TopologyOptions {
  name?: string;
  topic?: string;
  /** The deployed tolerance for event times ahead of the clock, for the parse bolt (parseBolt's option). */
  maxEventFutureMs?: number;
  /** How long a windowed state may see no event before it is deleted (foldBolt's option). */
  staleTabAfterMs?: number;
  /** Tab name patterns whose events are refused (parseBolt's option). */
  blockedTabs?: string[];
}

const BUILTIN: Record<string, () => Promise<{ default: unknown }>> = {
  taba: () => import('./builtin/taba'),
};

/**
 * Loads a topology from a built-in name (`taba`) or a module path. A module
 * default-exports a Topology, or a function of TopologyOptions returning one.
 */
export async function loadTopology(ref: string, opts: TopologyOptions = {}): Promise<Topology> {
  const mod = BUILTIN[ref]
    ? await BUILTIN[ref]!()
    : ((await import(pathToFileURL(isAbsolute(ref) ? ref : resolve(ref)).href)) as { default: unknown });
  const exported = mod.default;
  const t = typeof exported === 'function' ? (exported as (o: TopologyOptions) => unknown)(opts) : exported;
  if (!(t instanceof Topology)) throw new Error(`${ref} does not export a topology (default export)`);
  return t;
}

/** How a spec stored in ZooKeeper names its module: built-ins by name, files by absolute path. */
export function moduleRef(ref: string): string {
  return BUILTIN[ref] ? ref : resolve(ref);
}
