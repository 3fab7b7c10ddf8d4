#!/usr/bin/env node
// `npm test`: runs vitest against a local test stack (ZooKeeper, Kafka, Redis
// in .stack-test/ on ports 12181 / 19092 / 16379). A stack that already runs
// there is reused and left running; one this runner starts is stopped at the
// end (by the last runner to leave, if several share it), whatever happens.
// Tests that start stacks of their own do so under TABSTREAM_TEST_SCRATCH,
// which the runner also cleans up, so an interrupted run leaves no process.
// Extra arguments go to vitest: `npm test -- test/unit`. It first installs
// what is missing and moves to the project's Node (bootstrap.js), so vitest,
// and every process a test spawns with process.execPath, runs there.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runOnProjectNode } from './bootstrap.js';

await runOnProjectNode();
const { register } = await import('tsx/esm/api');
register();
const root = fileURLToPath(new URL('..', import.meta.url));
const vitestArgs = process.argv.slice(2);

function envPort(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) fail(`${name}=${value} is not a port`);
  return port;
}

function fail(message) {
  process.stderr.write(`run-tests: ${message}\n`);
  process.exit(1);
}

// Unit tests need no services: skip the stack when only test/unit paths are named.
function onlyUnitTests(args) {
  const paths = args.filter((arg) => !arg.startsWith('-'));
  return paths.length > 0 && paths.every((path) => /^(\.\/)?test\/unit(\/|$)/.test(path));
}

const log = (line) => process.stderr.write(`[stack] ${line}\n`);
const stackOptions = {
  dir: resolve(process.env.TABSTREAM_TEST_STACK_DIR || join(root, '.stack-test')),
  zkPort: envPort('TABSTREAM_TEST_ZK_PORT', 12181),
  kafkaPort: envPort('TABSTREAM_TEST_KAFKA_PORT', 19092),
  redisPort: envPort('TABSTREAM_TEST_REDIS_PORT', 16379),
  log,
};

let interrupted = undefined;
let vitest = undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    interrupted ??= signal;
    // vitest runs in its own process group (so that its workers and anything
    // they spawned can be ended together); pass the signal on to all of it.
    if (vitest) killGroup(vitest.pid, signal);
  });
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

const { leaseStack, stopStack, isStackError } = await import('../deploy/stack/index.ts');

let lease = undefined;
if (!onlyUnitTests(vitestArgs)) {
  try {
    lease = await leaseStack(stackOptions);
  } catch (err) {
    fail(isStackError(err) ? `test stack: ${err.message}` : `test stack: ${err instanceof Error ? err.stack : err}`);
  }
  log(`${lease.startedStack ? 'started' : 'reusing'} the test stack in ${lease.info.dir}`);
}

const scratch = mkdtempSync(join(tmpdir(), 'tabstream-tests-'));
const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
let exitCode = 1;
if (!interrupted) {
  const env = { ...process.env, TABSTREAM_TEST_SCRATCH: scratch };
  if (lease) {
    Object.assign(env, {
      TABSTREAM_ZK: lease.info.zk,
      TABSTREAM_BROKERS: lease.info.brokers,
      TABSTREAM_REDIS: lease.info.redis,
      TABSTREAM_STACK_DIR: lease.info.dir,
    });
  }
  const vitestBin = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  vitest = spawn(process.execPath, [vitestBin, 'run', ...vitestArgs], { cwd: root, env, stdio: 'inherit', detached: true });
  exitCode = await new Promise((done) => {
    vitest.on('error', (err) => {
      process.stderr.write(`run-tests: could not run vitest: ${err.message}\n`);
      done(1);
    });
    vitest.on('exit', (code, signal) => done(code ?? 128 + (SIGNAL_NUMBERS[signal] ?? 9)));
  });
  // Workers or tools the tests started may outlive vitest after an interruption.
  killGroup(vitest.pid, 'SIGKILL');
}

if (interrupted) exitCode = 128 + SIGNAL_NUMBERS[interrupted];
await cleanUp();
process.exit(exitCode);

async function cleanUp() {
  // TABSTREAM_TEST_KEEP_LOGS=<dir>: after a failed run, the services' logs of every stack the tests
  // started (the fault suite's included) are kept there, for a post-mortem.
  const keep = exitCode !== 0 ? process.env.TABSTREAM_TEST_KEEP_LOGS : undefined;
  for (const name of existsSync(scratch) ? readdirSync(scratch) : []) {
    const dir = join(scratch, name);
    if (!existsSync(join(dir, 'stack.json'))) continue;
    await stopStack(dir, { log }).catch((err) => process.stderr.write(`run-tests: could not stop the stack in ${dir}: ${err.message}\n`));
    if (keep && existsSync(join(dir, 'logs'))) {
      cpSync(join(dir, 'logs'), join(keep, name), { recursive: true });
      log(`kept the logs of ${name} in ${join(keep, name)}`);
    }
  }
  rmSync(scratch, { recursive: true, force: true });
  if (!lease) return;
  try {
    await lease.release();
  } catch (err) {
    process.stderr.write(`run-tests: could not stop the test stack: ${err instanceof Error ? err.message : err}\n`);
    exitCode ||= 1;
  }
}
