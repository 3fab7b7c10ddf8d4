// A TCP relay to a service that a test can cut, the ways networks fail:
// `partition()` drops every connection and refuses new ones (the client
// sees a reset at once); `blackhole()` makes the far side vanish without a
// word (a host gone, a dropped flow): the service loses its connections,
// the client keeps its sockets open and nothing it sends is ever answered,
// new connections included. `heal()` lets new connections through again;
// black-holed ones stay dead, as a flow the network forgot does.
// `inject(bytes)` hands every client bytes as if the service had sent them.
import { createServer, connect, type Server, type Socket } from 'node:net';

type Mode = 'pass' | 'refuse' | 'blackhole';

export class TcpRelay {
  private readonly server: Server;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket | null }>();
  private mode: Mode = 'pass';

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => this.accept(client));
  }

  /** For a `host:port` address (the first of a connection string). */
  static to(address: string): TcpRelay {
    const [host, port] = address.split(',')[0]!.split(':') as [string, string];
    return new TcpRelay({ host, port: Number(port) });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  partition(): void {
    this.mode = 'refuse';
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
  }

  blackhole(): void {
    this.mode = 'blackhole';
    for (const pair of this.pairs) this.swallow(pair);
  }

  heal(): void {
    this.mode = 'pass';
  }

  /** Every client receives `bytes` as if from the service, between what the service sends. */
  inject(bytes: Buffer): void {
    for (const pair of this.pairs) pair.client.write(bytes);
  }

  async close(): Promise<void> {
    this.partition();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.mode === 'refuse') return void client.destroy();
    const pair: { client: Socket; upstream: Socket | null } = { client, upstream: null };
    this.pairs.add(pair);
    client.on('error', () => {});
    client.on('close', () => {
      pair.upstream?.destroy();
      this.pairs.delete(pair);
    });
    if (this.mode === 'blackhole') return this.swallow(pair);
    const upstream = connect(this.target.port, this.target.host);
    pair.upstream = upstream;
    upstream.on('error', () => {});
    upstream.on('close', () => {
      if (pair.upstream === upstream) client.destroy();
    });
    client.pipe(upstream).pipe(client);
  }

  /** The service loses the connection; the client is left talking to nobody. */
  private swallow(pair: { client: Socket; upstream: Socket | null }): void {
    const upstream = pair.upstream;
    pair.upstream = null;
    if (upstream !== null) {
      pair.client.unpipe(upstream);
      upstream.unpipe(pair.client);
      upstream.destroy();
    }
    pair.client.on('data', () => {});
    pair.client.resume();
  }
}
