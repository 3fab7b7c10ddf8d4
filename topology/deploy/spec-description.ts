// A deployed spec's DAG, whichever way it was stored: as data (today), or as
// the text `describe()` printed before descriptions were data. An old spec
// is read as it is; deploying it again stores the data (same version when
// nothing else changed: spec-store compares the text).
import { renderDescription, type TopologyDescription } from '../dsl';
import type { TopologySpec } from './topology-spec';

/** The DAG as data; null for a spec that stored only its text. */
export function specDescription(spec: Pick<TopologySpec, 'description'>): TopologyDescription | null {
  return typeof spec.description === 'string' ? null : spec.description;
}

/** The DAG as `topology deploy` prints it. */
export function specDescriptionText(spec: Pick<TopologySpec, 'description'>): string {
  return typeof spec.description === 'string' ? spec.description : renderDescription(spec.description);
}
