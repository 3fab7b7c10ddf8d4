// The JSON endpoints of `topology serve`: each reads its query parameters and
// answers with what the matching `topology query ... --json` or
// `topology status --json` prints.
import { anchored } from '../state/tab-query';
import type { ClusterReader } from './cluster-reader';

/** An error with the HTTP status it answers with; its message goes to the client as `{"error"}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** More of the answer, sent beside `error` (say the part of a status that could be read). */
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface RouteContext {
  params: URLSearchParams;
  reader: ClusterReader;
  /** The topology `?topology=` selects, or the server's default. */
  topology: string;
}

export type ApiRoute = (ctx: RouteContext) => Promise<unknown>;

/** Topology names as the DSL allows them (topology/dsl/validate.ts). */
const TOPOLOGY_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** `name`, when it can name a topology (a 400 otherwise). */
export function checkTopologyName(name: string): string {
  if (!TOPOLOGY_NAME.test(name)) throw new HttpError(400, `topology name '${name}' must be 1..64 chars of [A-Za-z0-9_-]`);
  return name;
}

/** The topology a request is about: `?topology=`, else the server's. */
export function topologyOf(params: URLSearchParams, fallback: string): string {
  return checkTopologyName(params.get('topology') || fallback);
}

/** A pattern parameter, checked before any read so a bad one is a 400; absent or empty gives `fallback`. */
function pattern(params: URLSearchParams, name: string, fallback: string): string;
function pattern(params: URLSearchParams, name: string): string | undefined;
function pattern(params: URLSearchParams, name: string, fallback?: string): string | undefined {
  const value = params.get(name) || fallback;
  if (value === undefined) return undefined;
  try {
    anchored(value);
  } catch (err) {
    throw new HttpError(400, `${name}: ${(err as Error).message}`);
  }
  return value;
}

export const API_ROUTES: Readonly<Record<string, ApiRoute>> = {
  '/api/aggregate': ({ params, reader, topology }) => reader.query(topology).aggregate(pattern(params, 'tab', '.*'), pattern(params, 'client')),

  '/api/projection': ({ params, reader, topology }) => reader.query(topology).projections(pattern(params, 'tab', '.*'), pattern(params, 'client')),

  '/api/tabs': ({ params, reader, topology }) => reader.query(topology).tabs(pattern(params, 'tab', '.*')),

  '/api/clients': ({ params, reader, topology }) => reader.query(topology).clients(pattern(params, 'tab', '.*')),

  // As `topology query types --json`: every registered type, with its Tab count.
  '/api/types': async ({ reader, topology }) => {
    const tabs = await reader.query(topology).tabs('.*');
    return reader.registry.types().map((type) => ({ type, tabs: tabs.filter((t) => t.type === type).length }));
  },

  '/api/super': ({ params, reader, topology }) => {
    const tab = pattern(params, 'tab', '.*');
    return reader.query(topology).superAggregate(params.get('name') || tab, tab, pattern(params, 'client'));
  },

  '/api/status': async ({ reader, topology }) => {
    let status;
    try {
      status = await reader.status(topology);
    } catch (err) {
      const message = (err as Error).message;
      throw /^no topology named/.test(message) ? new HttpError(404, message) : err;
    }
    // A service that did not answer: 503, with what could be read (the workers' reports among it).
    if (status.unavailable.length > 0) throw new HttpError(503, status.unavailable.join('; '), { status });
    return status;
  },

  '/api/topologies': ({ reader }) => reader.topologies(),
};
