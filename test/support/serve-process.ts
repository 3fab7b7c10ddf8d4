// `topology serve` as a child process, for tests of the HTTP API.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** `topology serve --port 0` as an operator would run it; resolves with its base URL. */
export function startServe(env: NodeJS.ProcessEnv, topology: string): Promise<ServeProcess> {
  const child = spawn(process.execPath, [`${ROOT}/bin/topology.js`, 'serve', '--port', '0', '--topology', topology], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
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

/** SIGTERM, and wait for it to exit. */
export async function stopServe(serve: ServeProcess | undefined): Promise<void> {
  if (serve === undefined || serve.child.exitCode !== null || serve.child.signalCode !== null) return;
  const exited = new Promise((resolve) => serve.child.once('exit', resolve));
  serve.child.kill('SIGTERM');
  await exited;
}
