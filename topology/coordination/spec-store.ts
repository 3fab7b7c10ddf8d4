import type { ZkClient } from './zk-client';
import type { TopologySpec } from '../deploy/topology-spec';
import { specDescriptionText } from '../deploy/spec-description';

const path = (name: string): string => `topologies/${name}`;

export async function readSpec(zk: ZkClient, name: string): Promise<{ spec: TopologySpec; version: number } | null> {
  const node = await zk.get(path(name));
  if (node === null || node.data === null || node.data.length === 0) return null;
  return { spec: JSON.parse(node.data.toString('utf8')) as TopologySpec, version: node.version };
}

export async function listSpecs(zk: ZkClient): Promise<TopologySpec[]> {
  if (!(await zk.exists('topologies'))) return [];
  const names = await zk.children('topologies');
  const specs = await Promise.all(names.map((n) => readSpec(zk, n)));
  return specs.filter((s) => s !== null).map((s) => s!.spec);
}

/**
 * Stores a deployed spec, active. A redeploy that changes anything but the
 * timestamps bumps `version`; an identical one keeps it. Descriptions are
 * compared as text, so redeploying over a spec that stored its description
 * as text (before it was data) stores the data and keeps the version.
 */
export async function deploySpec(
  zk: ZkClient,
  spec: Omit<TopologySpec, 'version' | 'deployedAt' | 'status'>,
): Promise<TopologySpec> {
  const current = await readSpec(zk, spec.name);
  const essence = (s: Omit<TopologySpec, 'version' | 'deployedAt' | 'status'>): string =>
    JSON.stringify([s.module, s.options, s.partitions, s.config, specDescriptionText(s)]);
  const unchanged = current !== null && essence(current.spec) === essence(spec);
  const next: TopologySpec = {
    ...spec,
    status: 'active',
    version: current === null ? 1 : unchanged ? current.spec.version : current.spec.version + 1,
    deployedAt: unchanged ? current!.spec.deployedAt : Date.now(),
  };
  const data = Buffer.from(JSON.stringify(next));
  if (current === null) await zk.create(path(spec.name), data);
  else await zk.set(path(spec.name), data, current.version);
  return next;
}

export async function setStatus(zk: ZkClient, name: string, status: TopologySpec['status']): Promise<TopologySpec> {
  const current = await readSpec(zk, name);
  if (current === null) throw new Error(`no topology named '${name}' is deployed`);
  const next = { ...current.spec, status };
  await zk.set(path(name), Buffer.from(JSON.stringify(next)), current.version);
  return next;
}
