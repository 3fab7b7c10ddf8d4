import type { DeclaredComponent } from './topology';
import type { TabTypeDefinition } from './tab-type';
import { TopologyError } from './topology-error';

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Checks a declared topology and returns its components in a topological order.
 * Every problem is a TopologyError naming the component and what to change.
 */
export function validateTopology(name: string, components: DeclaredComponent[]): DeclaredComponent[] {
  if (!NAME.test(name)) throw new TopologyError(`topology name '${name}' must be 1..64 chars of [A-Za-z0-9_-]`);
  const byName = new Map<string, DeclaredComponent>();
  for (const c of components) {
    if (!NAME.test(c.name)) throw new TopologyError(`component name '${c.name}' must be 1..64 chars of [A-Za-z0-9_-]`);
    if (byName.has(c.name)) throw new TopologyError(`component '${c.name}' is declared twice`);
    const p = c.options.parallelism;
    if (p !== undefined && (!Number.isInteger(p) || p < 1)) {
      throw new TopologyError(`component '${c.name}': parallelism must be a positive integer, got ${p}`);
    }
    byName.set(c.name, c);
  }
  const spouts = components.filter((c) => c.definition.kind === 'spout');
  if (spouts.length !== 1) {
    throw new TopologyError(`topology '${name}' needs exactly one spout, it has ${spouts.length}`);
  }
  for (const c of components) {
    if (c.definition.kind === 'bolt' && c.inputs.length === 0) {
      throw new TopologyError(`bolt '${c.name}' has no input: give it a grouping, e.g. .shuffle(s) with s = t.spout('${spouts[0]!.name}', …)`);
    }
    for (const input of c.inputs) {
      const upstream = byName.get(input.from);
      if (!upstream) throw new TopologyError(`bolt '${c.name}' reads from unknown component '${input.from}'`);
      if (input.grouping.kind === 'fields') {
        if (input.grouping.fields.length === 0) {
          throw new TopologyError(`bolt '${c.name}': fields grouping on '${input.from}' names no field`);
        }
        for (const f of input.grouping.fields) {
          if (!upstream.definition.outputFields.includes(f)) {
            throw new TopologyError(
              `bolt '${c.name}': fields grouping on '${f}', but '${input.from}' emits only [${upstream.definition.outputFields.join(', ')}]`,
            );
          }
        }
      }
    }
  }
  return topologicalOrder(components, byName);
}

/** Each declared Tab type names itself, once; what a handler must hold is checked when it is registered. */
export function validateTabTypes(name: string, types: readonly TabTypeDefinition[]): void {
  const seen = new Set<string>();
  for (const t of types) {
    const type = (t as { type?: unknown } | null)?.type;
    if (typeof type !== 'string') throw new TopologyError(`topology '${name}': a Tab type must be a TabHandler with a string 'type', got ${describeValue(t)}`);
    if (seen.has(type)) throw new TopologyError(`topology '${name}' declares Tab type '${type}' twice`);
    seen.add(type);
  }
}

function describeValue(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  return `an object with ${JSON.stringify(Object.keys(value).slice(0, 6))}`;
}

function topologicalOrder(components: DeclaredComponent[], byName: Map<string, DeclaredComponent>): DeclaredComponent[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const ordered: DeclaredComponent[] = [];
  const visit = (c: DeclaredComponent, path: string[]): void => {
    const s = state.get(c.name);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(c.name)), c.name];
      throw new TopologyError(`cycle: ${cycle.join(' -> ')}`);
    }
    state.set(c.name, 'visiting');
    for (const input of c.inputs) visit(byName.get(input.from)!, [...path, c.name]);
    state.set(c.name, 'done');
    ordered.push(c);
  };
  for (const c of components) visit(c, []);
  return ordered;
}
