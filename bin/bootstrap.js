// Brings a clone to the runtime it is tested on, with no dependency of its
// own and on any Node from 20 on (the system's may be older than the
// project's): installs the locked dependencies (`npm ci`) when node_modules
// is missing or older than package-lock.json, and finds the project's Node,
// the `node-linux-*` package in node_modules (node_modules/.bin/node).
//
// `node bin/bootstrap.js` installs and exits; npm scripts run it first
// (`node bin/bootstrap.js && node bin/topology.js demo`), so that the second
// command, started once node_modules/.bin/node exists, is the project's Node
// (npm puts node_modules/.bin first on PATH). Entry points import
// `runOnProjectNode()`, which also runs the script again on the project's
// Node when another started it (`./bin/topology.js` with the system's Node
// on PATH); the first process then only relays SIGTERM and SIGHUP (a
// terminal's Ctrl-C reaches both) and the exit status. Anything a process
// spawns with process.execPath is then on the project's Node too.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LOCKFILE = join(ROOT, 'package-lock.json');
/** npm writes it on every install: its time is the last install's. */
const INSTALLED = join(ROOT, 'node_modules', '.package-lock.json');
const PROJECT_NODE = join(ROOT, 'node_modules', '.bin', 'node');
/** Where no node-linux-* package fits the platform, the running Node must be at least this (@platformatic/kafka 2). */
const MINIMUM = [22, 22];

function say(line) {
  process.stderr.write(`tabstream: ${line}\n`);
}

function fail(line) {
  say(line);
  process.exit(1);
}

/** Runs `npm ci` when node_modules is missing or older than package-lock.json. */
export function installIfStale() {
  if (existsSync(INSTALLED) && statSync(INSTALLED).mtimeMs >= statSync(LOCKFILE).mtimeMs) return;
  say(`installing the locked dependencies (npm ci): node_modules is ${existsSync(INSTALLED) ? 'older than package-lock.json' : 'missing'}`);
  // npm's output goes to stderr: a command's stdout may be read by a program.
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (npm.error) fail(`could not run npm: ${npm.error.message}`);
  if (npm.status !== 0) fail(`npm ci failed (exit ${npm.status ?? npm.signal})`);
}

/** The project's Node, or null where none fits the platform and the running Node will do. */
function projectNode() {
  if (existsSync(PROJECT_NODE)) return realpathSync(PROJECT_NODE);
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major > MINIMUM[0] || (major === MINIMUM[0] && minor >= MINIMUM[1])) return null;
  return fail(`no Node for ${process.platform}-${process.arch} in node_modules (the project brings one for linux-x64 and linux-arm64), and this one is ${process.version}: run with Node ${MINIMUM.join('.')} or later`);
}

/**
 * Installs what is missing, then returns if this process is on the project's
 * Node; otherwise runs the same script there and exits with its status.
 */
export async function runOnProjectNode() {
  installIfStale();
  const node = projectNode();
  if (node === null || realpathSync(process.execPath) === node) return;
  const child = spawn(node, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  process.on('SIGINT', () => {});
  const [code, signal] = await new Promise((resolve) => {
    child.on('error', (err) => fail(`could not start ${node}: ${err.message}`));
    child.on('exit', (...status) => resolve(status));
  });
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  installIfStale();
  projectNode();
}
