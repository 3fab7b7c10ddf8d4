// Node's end of the Java topic writer (TopicWriter.java): messages are
// framed onto its stdin and sent as they arrive, in order per partition.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { PEER_JAR } from './peer-jar';

/** Frames are gathered into writes of about this many bytes. */
const WRITE_BYTES = 1 << 20;

export class TopicWriter {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<number | null>;
  private output = '';
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(brokers: string, topic: string) {
    this.child = spawn('java', ['-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', PEER_JAR, 'dev.tabstream.peer.TopicWriter', '--brokers', brokers, '--topic', topic]);
    const keep = (c: Buffer) => void (this.output = (this.output + c.toString()).slice(-10_000));
    this.child.stdout.on('data', keep);
    this.child.stderr.on('data', keep);
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    // A writer that died (no jar, a broker refusing it) closes the pipe: flush() says so rather than crashing on EPIPE.
    this.child.stdin.on('error', () => {});
  }

  /** Throws with the writer's output once it has exited (it only exits when told to, or on a failure). */
  private gone(code: number | null): never {
    throw new Error(`topic writer exited ${code} before its input ended: ${this.output.slice(-2000)}`);
  }

  /** Queues a message; partition -1 lets Kafka's key partitioner choose. Resolves when the pipe has room. */
  async write(key: string, value: Buffer, partition = -1): Promise<void> {
    const keyBytes = Buffer.from(key);
    const head = Buffer.allocUnsafe(12 + keyBytes.length);
    head.writeInt32BE(partition, 0);
    head.writeInt32BE(keyBytes.length, 4);
    keyBytes.copy(head, 8);
    head.writeInt32BE(value.length, 8 + keyBytes.length);
    this.pending.push(head, value);
    this.pendingBytes += head.length + value.length;
    if (this.pendingBytes >= WRITE_BYTES) await this.flush();
  }

  /** Hands what is queued to the writer now (a paced producer calls this every tick). */
  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const chunk = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    if (this.child.exitCode !== null) this.gone(this.child.exitCode);
    // Waiting for room in the pipe, or for the writer's exit: a dead writer never drains it.
    if (!this.child.stdin.write(chunk)) await Promise.race([new Promise((r) => this.child.stdin.once('drain', r)), this.exited.then((code) => this.gone(code))]);
  }

  /** Sends what is left, waits for every acknowledgement, and returns how many messages were sent. */
  async close(): Promise<number> {
    await this.flush();
    this.child.stdin.end();
    const code = await this.exited;
    const sent = /sent (\d+)/.exec(this.output)?.[1];
    if (code !== 0 || sent === undefined) throw new Error(`topic writer exited ${code}: ${this.output.slice(-2000)}`);
    return Number(sent);
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
