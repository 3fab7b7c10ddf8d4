// The JSON endpoints of `topology serve`: each reads its query parameters and
// answers with what the matching `topology query ... --json` or
// `topology status --json` prints.
import type { QueryBudget } from '../state/query-budget';
import { MAX_PAGE_SIZE, type PageRequest, type TabQuery } from '../state/tab-query';
import { compilePattern, PatternError } from '../state/user-pattern';
import type { ClusterReader } from './cluster-reader';
import type { HistorySampler } from './history-sampler';
import { specDescription, specDescriptionText } from '../topology/deploy/spec-description';

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
  /** This request's time and size budget (its deadline, an abort when the client leaves or the server stops). */
  budget: QueryBudget;
  /** The server's sampler: the last hour of each followed topology. */
  history: HistorySampler;
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
    compilePattern(value);
  } catch (err) {
    if (err instanceof PatternError) throw new HttpError(400, `${name}: ${err.message}`);
    throw err;
  }
  return value;
}

/** `?limit=` and `?cursor=` of a listing (a 400 for a limit that is no page size). */
function page(params: URLSearchParams): PageRequest {
  const limit = params.get('limit');
  const cursor = params.get('cursor');
  if (limit !== null && !/^\d{1,6}$/.test(limit)) throw new HttpError(400, `limit: an integer from 1 to ${MAX_PAGE_SIZE}, got '${limit}'`);
  const n = limit === null ? undefined : Number(limit);
  if (n !== undefined && (n < 1 || n > MAX_PAGE_SIZE)) throw new HttpError(400, `limit: an integer from 1 to ${MAX_PAGE_SIZE}, got '${limit}'`);
  return { limit: n, cursor: cursor || undefined };
}

/** A yes/no parameter: `1`, `true` or present and empty are yes. */
function flag(params: URLSearchParams, name: string): boolean {
  const value = params.get(name);
  return value !== null && ['', '1', 'true', 'yes'].includes(value);
}

/** A 404 for a topology no deploy wrote to Redis (an answer of `{}` would read as a topology with no Tabs). */
async function deployed({ reader, topology }: RouteContext): Promise<void> {
  if (!(await reader.hasState(topology))) throw new HttpError(404, `no topology '${topology}' deployed: Redis holds no state of it (see /api/topologies)`);
}

const queryOf = async (ctx: RouteContext): Promise<TabQuery> => {
  await deployed(ctx);
  return ctx.reader.query(ctx.topology, ctx.budget);
};
const listingOf = async (ctx: RouteContext): Promise<TabQuery> => {
  await deployed(ctx);
  return ctx.reader.listing(ctx.topology, ctx.budget);
};

export const API_ROUTES: Readonly<Record<string, ApiRoute>> = {
  // Parameters are checked before the topology's types are loaded, so a bad one is a 400 whatever its module does.
  '/api/aggregate': async (ctx) => {
    const [tab, client] = [pattern(ctx.params, 'tab', '.*'), pattern(ctx.params, 'client')];
    return (await queryOf(ctx)).aggregate(tab, client);
  },

  '/api/projection': async (ctx) => {
    const [tab, client] = [pattern(ctx.params, 'tab', '.*'), pattern(ctx.params, 'client')];
    return (await queryOf(ctx)).projections(tab, client);
  },

  // Paged: {"tabs": [...], "next": cursor or null}; names and types only, client counts with ?clients=1.
  '/api/tabs': async (ctx) => {
    const [tab, paging, clients] = [pattern(ctx.params, 'tab', '.*'), page(ctx.params), flag(ctx.params, 'clients')];
    return (await listingOf(ctx)).listTabs(tab, { ...paging, clients });
  },

  '/api/clients': async (ctx) => {
    const [tab, paging] = [pattern(ctx.params, 'tab', '.*'), page(ctx.params)];
    return (await listingOf(ctx)).listClients(tab, paging);
  },

  // As `topology query types --json`: every type the topology has, with its Tab count.
  '/api/types': async (ctx) => {
    const counts = await (await queryOf(ctx)).typeCounts();
    return (await ctx.reader.typesOf(ctx.topology)).types().map((type) => ({ type, tabs: counts.get(type) ?? 0 }));
  },

  '/api/super': async (ctx) => {
    const tab = pattern(ctx.params, 'tab', '.*');
    const client = pattern(ctx.params, 'client');
    return (await queryOf(ctx)).superAggregate(ctx.params.get('name') || tab, tab, client);
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

  // Whether Redis and ZooKeeper answer now (each probed, 0.8 s at most); 503 with the same body when one does not.
  '/api/health': async ({ reader }) => {
    const services = await reader.probe();
    const down = Object.entries(services).filter(([, probe]) => !probe.ok);
    const body = { ...services, checkedAt: Date.now() };
    if (down.length > 0) throw new HttpError(503, down.map(([, probe]) => probe.error).join('; '), body);
    return body;
  },

  // The topology's last hour, sampled by the server: the whole hour, or the samples after ?since= (epoch ms).
  '/api/history': async ({ params, reader, topology, history }) => {
    const since = params.get('since');
    if (since !== null && !/^\d{1,15}$/.test(since)) throw new HttpError(400, `since: epoch milliseconds, got '${since}'`);
    const tab = pattern(params, 'tab', '.*');
    let followed = history.follow(topology, false);
    if (followed === null) {
      // Followed from now on, if it is deployed (a 404 otherwise) and there is room.
      if (!(await reader.topologies()).some((spec) => spec.name === topology)) throw new HttpError(404, `no topology named '${topology}' is deployed`);
      followed = history.follow(topology);
      if (followed === null) throw new HttpError(503, `the server follows as many topologies as it can; the history of '${topology}' is not kept`);
    }
    const matcher = compilePattern(tab);
    return followed.toJson(since === null ? undefined : Number(since), (name) => matcher.test(name));
  },

  // The deployed DAG, for a dashboard to draw: the description as data (null for a spec deployed before it was data) and as text.
  '/api/topology': async ({ reader, topology }) => {
    const spec = await reader.spec(topology);
    if (spec === null) throw new HttpError(404, `no topology named '${topology}' is deployed`);
    return { name: spec.name, version: spec.version, status: spec.status, description: specDescription(spec), text: specDescriptionText(spec) };
  },
};
