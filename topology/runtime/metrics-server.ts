// Serving a prom-client registry over HTTP: the response both /metrics
// endpoints (a worker's and `topology serve`'s) write, and the small server
// a worker runs for it.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Writes the registry in the Prometheus text format; a failed collect is a 500, never a crash. */
export async function respondWithMetrics(registry: Registry, res: ServerResponse): Promise<void> {
  try {
    const body = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
    res.end(body);
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`collecting metrics failed: ${(err as Error).message}\n`);
  }
}

/** An HTTP server answering `GET /metrics` (and nothing else) from `registry`. */
export class MetricsServer {
  private constructor(private readonly server: Server) {}

  static async listen(registry: Registry, port: number, host: string): Promise<MetricsServer> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/metrics') {
        void respondWithMetrics(registry, res);
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('only /metrics is served here\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new MetricsServer(server);
  }

  /** The port it listens on (the one the OS chose when asked for 0). */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
