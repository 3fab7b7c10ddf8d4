// Aggregates: the projections of a Tab's clients merged into one, rendered
// Taba-style; and super-aggregates, the merged Tabs of one type. Pure: the
// caller reads the states, projects them at its `now`, and passes them in.
import type { HandlerRegistry } from '../tabs/handlers/registry';
import type { TabHandler } from '../tabs/handlers/handler';

/** `{name, type, clients | tabs, ...the handler's rendered windows}`. */
export interface RenderedAggregate {
  name: string;
  type: string;
  /** How many (Tab, client) states were merged, for a Tab's aggregate. */
  clients?: number;
  /** How many Tabs were merged, for a super-aggregate. */
  tabs?: number;
  [field: string]: unknown;
}

function handlerFor(type: string, registry: HandlerRegistry): TabHandler {
  const handler = registry.get(type);
  if (handler === undefined) throw new Error(`no handler registered for type '${type}'`);
  return handler;
}

/** Merges projections of one type; none gives the projection of an empty state. */
export function mergeProjections(type: string, projections: readonly unknown[], registry: HandlerRegistry): unknown {
  const handler = handlerFor(type, registry);
  // An empty state projects the same at any time.
  if (projections.length === 0) return handler.project(handler.newState(), 0);
  let merged = projections[0];
  for (let i = 1; i < projections.length; i++) merged = handler.merge(merged, projections[i]);
  return merged;
}

/** A Tab's aggregate: the projections of its clients (each at the same `now`) merged and rendered. */
export function aggregateTab(name: string, type: string, projections: readonly unknown[], registry: HandlerRegistry): RenderedAggregate {
  return renderTab(name, type, mergeProjections(type, projections, registry), projections.length, registry);
}

/** A Tab's aggregate from its merged projection (of its record, or of its clients' states merged) and its client count. */
export function renderTab(name: string, type: string, merged: unknown, clients: number, registry: HandlerRegistry): RenderedAggregate {
  return { name, type, clients, ...handlerFor(type, registry).render(merged) };
}

/** renderTab of a Tab record's projection, rendered from the record's bytes by its handler (TabHandler.renderStored, which it must have). */
export function renderStoredTab(name: string, type: string, record: Uint8Array, clients: number, now: number, registry: HandlerRegistry): RenderedAggregate {
  return { name, type, clients, ...handlerFor(type, registry).renderStored!(record, now) };
}

/**
 * A super-aggregate across Tabs of one type, e.g. every `page_views:*` Tab:
 * `tabProjections` holds one merged projection per Tab (mergeProjections).
 */
export function superAggregate(name: string, type: string, tabProjections: readonly unknown[], registry: HandlerRegistry): RenderedAggregate {
  const handler = handlerFor(type, registry);
  const merged = mergeProjections(type, tabProjections, registry);
  return { name, type, tabs: tabProjections.length, ...handler.render(merged) };
}
