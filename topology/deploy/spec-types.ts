import type { HandlerRegistry } from '../../tabs/handlers/registry';
import { loadTopology } from '../loader';
import { tabTypesOf } from '../topology-types';
import { topologySettings, type TopologySpec } from './topology-spec';

/**
 * The Tab types of a deployed topology, as its workers fold them: the
 * built-in types and those its module (`spec.module`, built with the deployed
 * settings) registers. A module that fails is one line naming it
 * (loadTopology).
 */
export async function typesOfSpec(spec: Pick<TopologySpec, 'name' | 'module' | 'options' | 'config'>, base?: HandlerRegistry): Promise<HandlerRegistry> {
  return tabTypesOf(await loadTopology(spec.module, topologySettings(spec)), base);
}
