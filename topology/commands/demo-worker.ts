// The `topology worker` child process the demo starts, as an operator would
// start one: its log (pino JSON lines) is kept in memory and shown only when
// something goes wrong; stopping it is SIGTERM and waiting for the drain.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const TOPOLOGY_BIN = fileURLToPath(new URL('../../bin/topology.js', import.meta.url));
const KEPT_LOG_CHARS = 20_000;

export class DemoWorker {
  private readonly child: ChildProcess;
  private log = '';
  private readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /** `args` are the worker command's flags (connection, --id ...); `env` is added to this process's environment. */
  constructor(readonly id: string, args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [TOPOLOGY_BIN, 'worker', '--id', id, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    const keep = (chunk: Buffer): void => {
      this.log = (this.log + chunk.toString()).slice(-KEPT_LOG_CHARS);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    // However the demo ends (an uncaught error, a closed pipe), its worker is told to drain too.
    const orphanGuard = (): void => void (this.exited || this.child.kill('SIGTERM'));
    process.once('exit', orphanGuard);
    this.exit = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        process.off('exit', orphanGuard);
        resolve({ code, signal });
      });
      this.child.once('error', (err) => {
        keep(Buffer.from(`could not start: ${err.message}\n`));
        resolve({ code: null, signal: null });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** The last lines of its log, for an error message. */
  logTail(lines = 8): string {
    return this.log.trimEnd().split('\n').slice(-lines).join('\n');
  }

  /** SIGTERM (the worker flushes, commits and hands over), then waits; SIGKILL after `graceMs`. */
  async stop(graceMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }> {
    if (!this.exited) this.child.kill('SIGTERM');
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      this.child.kill('SIGKILL');
    }, graceMs);
    const result = await this.exit;
    clearTimeout(timer);
    return { ...result, killed };
  }
}
