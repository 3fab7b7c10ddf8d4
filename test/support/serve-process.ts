// `topology serve` as a child process in its own process group, for tests of
// the HTTP API; and one request to it, over http or https, with a deadline.
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { fileURLToPath } from 'node:url';
import { signalGroup as killGroup, trackGroup } from './process-groups';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** `topology serve --port 0 [args]` as an operator would run it, in its own process group; resolves with its base URL. */
export function startServe(env: NodeJS.ProcessEnv, topology: string, args: string[] = []): Promise<ServeProcess> {
  const child = spawn(process.execPath, [`${ROOT}/bin/topology.js`, 'serve', '--port', '0', '--topology', topology, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  trackGroup(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(child.pid!, 'SIGKILL');
      reject(new Error(`serve did not start:\n${output}`));
    }, 30_000);
    child.stderr!.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const m = /serving (https?:\/\/\S+)/.exec(output);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, output: () => output });
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}:\n${output}`)));
  });
}

/** SIGTERM to its process group, and wait for it to exit (SIGKILL after `graceMs`); resolves with how long it took to exit (ms). */
export async function stopServe(serve: ServeProcess | undefined, graceMs = 10_000): Promise<number> {
  if (serve === undefined || serve.child.exitCode !== null || serve.child.signalCode !== null) return 0;
  const started = performance.now();
  const exited = new Promise<number>((resolve) => serve.child.once('exit', () => resolve(performance.now() - started)));
  killGroup(serve.child.pid!, 'SIGTERM');
  const timer = setTimeout(() => killGroup(serve.child.pid!, 'SIGKILL'), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** For https: the CA to trust (only it: not the system's). */
  ca?: Buffer | string;
  /** The request fails when nothing is heard for this long (default 10 s). */
  timeoutMs?: number;
}

/** One request with node:http or node:https (fetch cannot be given a CA to trust); rejects on a failed connection, handshake or deadline. */
export function request(url: string, opts: RequestOptions = {}): Promise<HttpAnswer> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: opts.method ?? 'GET', headers: opts.headers, ...(opts.ca !== undefined && { ca: opts.ca }) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error(`no answer from ${url} within ${opts.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end();
  });
}
