// `topology serve`: the HTTP API, the live dashboard and /metrics, on Node's
// own http and https modules (a handful of GET routes need no framework).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ZkSessionExpiredError } from '../topology/coordination/zk-errors';
import { respondWithMetrics } from '../topology/runtime/metrics-server';
import { API_ROUTES, HttpError, topologyOf } from './api-routes';
import type { ClusterReader } from './cluster-reader';
import { dashboardPage } from './dashboard-page';
import { ServerMetrics } from './server-metrics';
import { withTimeout } from '../contracts/with-timeout';
import { QueryCache } from './query-cache';
import { registerTabMetrics, type TabMetricsOptions } from './tab-metrics';
import { HTTP_QUERY_LIMITS, QueryBudget, QueryBudgetError } from '../state/query-budget';
import { PatternError } from '../state/user-pattern';
import { checkBearer, type ApiToken } from './api-tokens';
import { ASSET_PATHS, dashboardAsset } from './dashboard-assets';
import { HISTORY_STEP_MS, HistorySampler } from './history-sampler';
import type { RenderedAggregate } from '../state/aggregate';

export interface ApiServerOptions {
  reader: ClusterReader;
  /** The topology read when a request names none. */
  topology: string;
  log: Logger;
  /**
   * A request not answered within this long gets a 503 (default 1.9 s):
   * whatever is down, or however much a query would read, callers hear so
   * within 2 s. A query's own deadline is 100 ms earlier, so it stops with
   * its reason (what it read) rather than a generic timeout.
   */
  answerWithinMs?: number;
  /** How long a state query's answer is shared (no checkpoint landing meanwhile); default the flush interval, at most 1 s; 0: never. */
  queryCacheMs?: number;
  /** The tokens every request but the open ones must bear one of (Authorization: Bearer); null or absent: none asked. */
  tokens?: readonly ApiToken[] | null;
  /** Serve https with this certificate and key; null or absent: http. */
  tls?: { cert: Buffer; key: Buffer } | null;
  /** How often the history the dashboard charts is sampled (default 5 s; an hour is kept). */
  historyStepMs?: number;
  /** Export these Tabs' figures on /metrics (tab-metrics.ts); null or absent: none. */
  tabMetrics?: TabMetricsOptions | null;
}

/** What anyone may ask for without a token: the dashboard's page and its chart library (they hold no data: its script asks the API) and the health check. */
const OPEN_PATHS = new Set(['/', '/healthz', ...ASSET_PATHS]);

/** The routes that read states: their answers only change when a checkpoint lands. */
const CACHED_ROUTES = new Set(['/api/aggregate', '/api/projection', '/api/super', '/api/tabs', '/api/clients', '/api/types']);

/** A request's cache key: its path and its parameters, in a stable order. */
function cacheKey(path: string, params: URLSearchParams): string {
  return `${path}?${[...params.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
}

const ANSWER_WITHIN_MS = 1900;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendRaw(res, status, JSON.stringify(body));
}

function sendRaw(res: ServerResponse, status: number, json: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(json);
}

export class ApiServer {
  readonly metrics: ServerMetrics;
  readonly cache: QueryCache | null;
  readonly history: HistorySampler;
  private readonly server: Server;
  /** Aborts every query in flight when the server closes: they stop at their next slice, within ms. */
  private readonly stopping = new AbortController();

  private constructor(private readonly opts: ApiServerOptions) {
    const cacheMs = opts.queryCacheMs ?? Math.min(1000, opts.reader.config.flushIntervalMs);
    this.cache = cacheMs > 0 ? new QueryCache((topology) => opts.reader.stateVersion(topology), cacheMs) : null;
    this.metrics = new ServerMetrics(opts.reader, this.cache);
    this.history = new HistorySampler(
      {
        status: (topology) => opts.reader.status(topology),
        // Shared with the dashboard's own unfiltered poll of /api/aggregate: one read of Redis serves both.
        aggregates: (topology) => {
          const budget = new QueryBudget({ ...HTTP_QUERY_LIMITS }, this.stopping.signal);
          const read = async () => (await opts.reader.query(topology, budget)).aggregate('.*');
          const key = cacheKey('/api/aggregate', new URLSearchParams({ topology }));
          return this.cache === null ? read() : this.cache.get<Record<string, RenderedAggregate>>(topology, key, read);
        },
      },
      opts.topology,
      opts.historyStepMs ?? HISTORY_STEP_MS,
    );
    if (opts.tabMetrics) registerTabMetrics(this.metrics.registry, opts.reader, this.cache, opts.tabMetrics);
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.handle(req, res).catch(() => res.destroy()); // handle() answers its own errors; this is the last guard
    };
    this.server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : createServer(handler);
    // A malformed request gets a 400 from Node; it must not reach 'error' and end the process.
    this.server.on('clientError', (_err, socket) => socket.destroy());
  }

  static async listen(opts: ApiServerOptions, port: number, host: string): Promise<ApiServer> {
    const api = new ApiServer(opts);
    await new Promise<void>((resolve, reject) => {
      api.server.once('error', reject);
      api.server.listen(port, host, () => {
        api.server.off('error', reject);
        api.history.start();
        resolve();
      });
    });
    return api;
  }

  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `${this.opts.tls ? 'https' : 'http'}://${address.includes(':') ? `[${address}]` : address}:${port}`;
  }

  /** Stops listening, aborts the queries in flight and closes every connection; resolves once the server is closed. */
  async close(): Promise<void> {
    this.stopping.abort();
    void this.history.stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    let path = '';
    res.once('finish', () => this.metrics.countRequest(method, routeLabel(path), res.statusCode));
    try {
      // Prefixed, so a target such as `//x` stays a path rather than becoming a host.
      const url = new URL(`http://server${req.url ?? '/'}`);
      path = url.pathname;
      if (!OPEN_PATHS.has(path)) this.authenticate(req, res);
      if (method !== 'GET' && method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        throw new HttpError(405, `${method} is not allowed: the API only reads`);
      }
      const within = this.opts.answerWithinMs ?? ANSWER_WITHIN_MS;
      const late = `no answer within ${within / 1000} s: Redis, ZooKeeper or Kafka is slow or down`;
      // Not raced against the deadline (it writes the response itself): its reads have timeouts of their own.
      if (path === '/metrics') return await respondWithMetrics(this.metrics.registry, res);
      // Whether the process serves, without asking any service (it answers while they are down).
      if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
      const asset = dashboardAsset(path);
      if (asset !== undefined) {
        res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'public, max-age=3600' });
        res.end(asset.body);
        return;
      }
      if (path === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(dashboardPage(topologyOf(url.searchParams, this.opts.topology)));
        return;
      }
      const handler = API_ROUTES[path];
      if (handler === undefined) throw new HttpError(404, `no such endpoint: ${path}`);
      const topology = topologyOf(url.searchParams, this.opts.topology);
      // The query stops at its deadline, when the server stops, or when the client leaves; a shared
      // (cached) read serves every request asking the same, so one client leaving does not stop it.
      const shared = this.cache !== null && CACHED_ROUTES.has(path);
      const abort = new AbortController();
      const stop = () => abort.abort();
      this.stopping.signal.addEventListener('abort', stop, { once: true });
      res.once('close', stop);
      const signal = shared ? this.stopping.signal : AbortSignal.any([abort.signal, this.stopping.signal]);
      const budget = new QueryBudget({ ...HTTP_QUERY_LIMITS, deadlineMs: Math.max(within - 100, within * 0.9) }, signal);
      try {
        const ask = () => handler({ params: url.searchParams, reader: this.opts.reader, topology, budget, history: this.history });
        const answer = shared ? this.cache!.get(topology, cacheKey(path, url.searchParams), ask) : ask();
        const body = JSON.stringify(await withTimeout(answer, within, late));
        budget.checkResponse(Buffer.byteLength(body));
        sendRaw(res, 200, body);
      } finally {
        stop();
        this.stopping.signal.removeEventListener('abort', stop);
      }
    } catch (err) {
      const status = statusOf(err, path);
      const message = err instanceof Error ? err.message : String(err);
      if (status >= 500) this.opts.log.warn({ path, err: message }, 'request failed');
      if (res.headersSent) res.destroy();
      else sendJson(res, status, { ...(err instanceof HttpError ? err.body : {}), error: message });
    }
  }

  /**
   * When tokens are configured, a 401 (thrown) unless the request bears one;
   * counted by the token's name. The token itself goes nowhere: not in the
   * error, the logs or the metrics.
   */
  private authenticate(req: IncomingMessage, res: ServerResponse): void {
    const tokens = this.opts.tokens;
    if (tokens === null || tokens === undefined) return;
    const result = checkBearer(tokens, req.headers.authorization);
    this.metrics.countAuth(result.ok ? result.name : 'none', result.ok ? 'accepted' : result.reason);
    if (result.ok) return;
    if (result.reason === 'missing') {
      res.setHeader('www-authenticate', 'Bearer realm="tabstream"');
      throw new HttpError(401, 'this server needs a token: send Authorization: Bearer <token>');
    }
    res.setHeader('www-authenticate', 'Bearer realm="tabstream", error="invalid_token"');
    throw new HttpError(401, 'the bearer token is not one this server accepts');
  }
}

/**
 * The HTTP status of a failed request: an HttpError's own; 503 when a service
 * behind the API is down or busy (Tabstream's and KafkaJS's errors say
 * `retriable`), so callers know to try again; 400 for a target that is no URL.
 */
function statusOf(err: unknown, path: string): number {
  if (err instanceof HttpError || err instanceof QueryBudgetError) return err.status;
  if (err instanceof PatternError) return 400;
  if ((err as { retriable?: unknown }).retriable === true || err instanceof ZkSessionExpiredError) return 503;
  if (err instanceof TypeError && path === '') return 400;
  return 500;
}

/** The `route` label of a request: a path the server knows, or `other`, so the label set stays small. */
function routeLabel(path: string): string {
  return OPEN_PATHS.has(path) || path === '/metrics' || Object.hasOwn(API_ROUTES, path) ? path : 'other';
}
