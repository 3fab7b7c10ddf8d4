// `topology serve` as a child process in its own process group, for tests of the HTTP API.
import { spawn, type ChildProcess } from 'node:child_process';
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
      const m = /serving (http:\/\/\S+)/.exec(output);
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
