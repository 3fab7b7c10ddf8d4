// Which Tab types `topology query` renders with: the deployed topology's,
// so Tabs of the types its module registers read as its workers fold them.
import { defaultRegistry, type HandlerRegistry } from '../../tabs/handlers/registry';
import type { TabstreamConfig } from '../config';
import { ZkClient } from '../coordination/zk-client';
import { readSpec } from '../coordination/spec-store';
import { typesOfSpec } from '../deploy/spec-types';
import { loadTopology } from '../loader';
import { tabTypesOf } from '../topology-types';
import { TopologyModuleError } from '../topology-module-error';

/** How long the query waits for ZooKeeper to answer with the topology's spec. */
export const SPEC_READ_TIMEOUT_MS = 2000;

/**
 * With `module` (`--module`: a built-in name or a path on this machine), the
 * types of that module, ZooKeeper unasked. Otherwise the deployed
 * topology's: its spec read from ZooKeeper and its module (`spec.module`)
 * loaded with the deployed settings; the built-in types when no topology of
 * that name is deployed. A ZooKeeper that does not answer within
 * SPEC_READ_TIMEOUT_MS leaves the built-in types, which `warn` says in one
 * line (Tabs of other types are then left out of the answer). A module that
 * fails to load is an error of one line naming it.
 */
export async function queryTypes(config: TabstreamConfig, topology: string, module: string | undefined, warn: (line: string) => void): Promise<HandlerRegistry> {
  if (module !== undefined) return tabTypesOf(await loadTopology(module, { name: topology }));
  let spec;
  try {
    const zk = await ZkClient.forConfig(config, { connectTimeoutMs: SPEC_READ_TIMEOUT_MS, operationTimeoutMs: SPEC_READ_TIMEOUT_MS });
    try {
      spec = (await readSpec(zk, topology))?.spec ?? null;
    } finally {
      await zk.close().catch(() => {});
    }
  } catch (err) {
    warn(`could not read ${topology}'s spec from ZooKeeper (${(err as Error).message}): built-in Tab types only; --module <path> names its module`);
    return defaultRegistry();
  }
  if (spec === null) return defaultRegistry();
  try {
    return await typesOfSpec(spec);
  } catch (err) {
    if (err instanceof TopologyModuleError) throw new Error(`${err.message} (the module ${topology} was deployed with; --module <path> names it on this machine)`);
    throw err;
  }
}
