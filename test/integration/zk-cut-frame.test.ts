// A connection to ZooKeeper cut in the middle of an answer (a server stopped
// or killed mid-write, a relay gone): node-zookeeper-client keeps the bytes
// of the unfinished frame and, unless ZkClient clears them, reads the next
// connection's first bytes as their rest. Here a relay between ZkClient and
// the test stack's real ZooKeeper passes one connection's connect answer, then
// only the first bytes of the next frame, and drops the connection; the next
// connection passes everything. The client must reconnect to its session and
// answer, not hang on a garbled stream or throw.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { ZkClient } from '../../topology/coordination/zk-client';
import { testStack } from '../support/stack-env';

const stack = testStack();
const root = `/tabstream-it-zkcut-${process.pid}-${Date.now()}`;

/** Passes ZooKeeper's frames (4-byte length, then the body) through; `cutNext()` makes the next server frame arrive half, then drops that connection. */
class FrameCuttingRelay {
  private readonly server: Server;
  private cut = false;
  connections = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => this.accept(client));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  cutNext(): void {
    this.cut = true;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.connections++;
    const upstream = connect(this.target.port, this.target.host);
    client.on('error', () => {});
    upstream.on('error', () => {});
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    let pending = Buffer.alloc(0);
    upstream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = pending.subarray(0, 4 + pending.readInt32BE(0));
        pending = pending.subarray(frame.length);
        if (this.cut && frame.length > 12) {
          this.cut = false;
          // The length and a few bytes of the body, then nothing: the connection goes.
          client.write(frame.subarray(0, 10), () => {
            client.destroy();
            upstream.destroy();
          });
          return;
        }
        client.write(frame);
      }
    });
  }
}

describe('ZkClient over a connection cut mid-frame', () => {
  const [host, port] = stack.zk.split(',')[0]!.split(':') as [string, string];
  const relay = new FrameCuttingRelay({ host, port: Number(port) });
  let zk: ZkClient | undefined;

  afterAll(async () => {
    await zk?.close();
    await relay.close();
  });

  it('reconnects to its session and answers after a connection ended in the middle of an answer', async () => {
    const address = await relay.listen();
    zk = await ZkClient.connect(address, { root, sessionTimeoutMs: 6_000 });
    const session = zk.sessionId;
    await zk.create('node', Buffer.from('x'.repeat(200)));
    relay.cutNext();
    // The answer to this read is the frame cut short; the call fails or is retried by the library.
    await zk.get('node').catch(() => null);
    const started = Date.now();
    let answer: string | null = null;
    while (answer === null && Date.now() - started < 10_000) {
      answer = await zk
        .get('node')
        .then((node) => node?.data?.toString('utf8') ?? null)
        .catch(() => null);
      if (answer === null) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(relay.connections).toBeGreaterThanOrEqual(2);
    expect(answer).toBe('x'.repeat(200));
    expect(zk.sessionId).toBe(session);
    expect(zk.state).toBe('connected');
  }, 30_000);
});
