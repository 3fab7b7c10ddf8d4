import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Topology, TopologyError } from './dsl';
import { withTimeout } from '../contracts/with-timeout';
import { TopologyModuleError } from './topology-module-error';
import { tabTypesOf } from './topology-types';

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

/** The longest a topology module may take to import (a top-level await that never settles, say). */
export const MODULE_LOAD_TIMEOUT_MS = 20_000;

/**
 * Loads a topology from a built-in name (`taba`) or a module path. A module
 * default-exports a Topology, or a function of TopologyOptions returning one.
 * Every failure is one line naming the module (TopologyModuleError): it does
 * not import within MODULE_LOAD_TIMEOUT_MS, throws while importing or
 * building, exports no topology, or registers Tab types that cannot be
 * registered beside the built-in ones (tabTypesOf).
 */
export async function loadTopology(ref: string, opts: TopologyOptions = {}): Promise<Topology> {
  let mod: { default: unknown };
  try {
    const importing = BUILTIN[ref] ? BUILTIN[ref]!() : (import(pathToFileURL(isAbsolute(ref) ? ref : resolve(ref)).href) as Promise<{ default: unknown }>);
    mod = await withTimeout(importing, MODULE_LOAD_TIMEOUT_MS, `did not load within ${MODULE_LOAD_TIMEOUT_MS / 1000} s`);
  } catch (err) {
    throw new TopologyModuleError(ref, 'failed to load', err);
  }
  const exported = mod.default;
  let t: unknown;
  try {
    t = typeof exported === 'function' ? (exported as (o: TopologyOptions) => unknown)(opts) : exported;
  } catch (err) {
    // The DSL's own errors say what to change in the declaration: kept as they are.
    if (err instanceof TopologyError) throw err;
    throw new TopologyModuleError(ref, 'failed to build its topology', err);
  }
  if (!(t instanceof Topology)) throw new TopologyModuleError(ref, 'does not export a topology (default export)');
  tabTypesOf(t);
  return t;
}

/** How a spec stored in ZooKeeper names its module: built-ins by name, files by absolute path. */
export function moduleRef(ref: string): string {
  return BUILTIN[ref] ? ref : resolve(ref);
}
