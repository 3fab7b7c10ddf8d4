// Node's end of the Java topic writer (TopicWriter.java): messages are
// framed onto its stdin and sent as they arrive, in order per partition.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { PEER_JAR } from './peer-jar';

/** Frames are gathered into writes of about this many bytes. */
const WRITE_BYTES = 1 << 20;

/**
 * Bytes to write over a message's value as it is framed: `bytes` at each of
 * `at` (offsets in the value). The latency bench stamps each event's time so,
 * without a copy of its own of each message.
 */
export interface ValueStamp {
  bytes: Uint8Array;
  at: readonly number[];
}

export class TopicWriter {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<number | null>;
  private output = '';
  /**
   * The frames not handed to the pipe yet, built in place: a paced latency
   * run frames ~10,000 messages a second, and a buffer of its own for each
   * message, its header and then their concatenation cost the bench ~40 % of
   * a core, taken from the measured workers on the same two cores. A chunk
   * handed to the pipe is used again once the pipe has written it (a new
   * megabyte at every tick, 100 MB a second, kept the collector busy).
   */
  private chunk: Buffer = Buffer.allocUnsafe(WRITE_BYTES);
  private used = 0;
  private readonly written: Buffer[] = [];

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

  /** Queues a message (its key as a string or its bytes); partition -1 lets Kafka's key partitioner choose. Resolves when the pipe has room. */
  async write(key: string | Uint8Array, value: Uint8Array, partition = -1, stamp?: ValueStamp): Promise<void> {
    const keyBytes = typeof key === 'string' ? Buffer.from(key) : key;
    const size = 12 + keyBytes.length + value.length;
    if (this.used + size > this.chunk.length) {
      await this.flush();
      if (size > this.chunk.length) this.chunk = Buffer.allocUnsafe(size);
    }
    const chunk = this.chunk;
    let at = this.used;
    chunk.writeInt32BE(partition, at);
    chunk.writeInt32BE(keyBytes.length, at + 4);
    chunk.set(keyBytes, at + 8);
    at += 8 + keyBytes.length;
    chunk.writeInt32BE(value.length, at);
    at += 4;
    chunk.set(value, at);
    if (stamp !== undefined) {
      const bytes = stamp.bytes;
      for (const offset of stamp.at) for (let i = 0, to = at + offset; i < bytes.length; i++) chunk[to + i] = bytes[i]!;
    }
    this.used = at + value.length;
    if (this.used >= WRITE_BYTES) await this.flush();
  }

  /** Hands what is queued to the writer now (a paced producer calls this every tick). */
  async flush(): Promise<void> {
    if (this.used === 0) return;
    const whole = this.chunk;
    const chunk = whole.subarray(0, this.used);
    this.chunk = this.written.pop() ?? Buffer.allocUnsafe(WRITE_BYTES);
    this.used = 0;
    if (this.child.exitCode !== null) this.gone(this.child.exitCode);
    const done = (err?: Error | null) => {
      if (err == null && whole.length === WRITE_BYTES) this.written.push(whole);
    };
    // Waiting for room in the pipe, or for the writer's exit: a dead writer never drains it.
    if (!this.child.stdin.write(chunk, done)) await Promise.race([new Promise((r) => this.child.stdin.once('drain', r)), this.exited.then((code) => this.gone(code))]);
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
