#!/usr/bin/env node
// `npm test`: runs vitest against a local test stack (ZooKeeper, Kafka, Redis
// in .stack-test/ on ports 12181 / 19092 / 16379). A stack that already runs
// there is reused and left running; one this runner starts is stopped at the
// end (by the last runner to leave, if several share it), whatever happens.
// Extra arguments go to vitest: `npm test -- test/unit`.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

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

const stackOptions = {
  dir: resolve(process.env.TABSTREAM_TEST_STACK_DIR || join(root, '.stack-test')),
  zkPort: envPort('TABSTREAM_TEST_ZK_PORT', 12181),
  kafkaPort: envPort('TABSTREAM_TEST_KAFKA_PORT', 19092),
  redisPort: envPort('TABSTREAM_TEST_REDIS_PORT', 16379),
  log: (line) => process.stderr.write(`[stack] ${line}\n`),
};

let interrupted = undefined;
let vitest = undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    interrupted ??= signal;
    // Ctrl-C reaches vitest through the terminal; other signals are passed on.
    if (vitest && signal !== 'SIGINT') vitest.kill(signal);
  });
}

const { leaseStack, isStackError } = await import('../deploy/stack/index.ts');

let lease = undefined;
if (!onlyUnitTests(vitestArgs)) {
  try {
    lease = await leaseStack(stackOptions);
  } catch (err) {
    fail(isStackError(err) ? `test stack: ${err.message}` : `test stack: ${err instanceof Error ? err.stack : err}`);
  }
  stackOptions.log(`${lease.startedStack ? 'started' : 'reusing'} the test stack in ${lease.info.dir}`);
}

let exitCode = 1;
if (!interrupted) {
  const env = { ...process.env };
  if (lease) {
    Object.assign(env, {
      TABSTREAM_ZK: lease.info.zk,
      TABSTREAM_BROKERS: lease.info.brokers,
      TABSTREAM_REDIS: lease.info.redis,
      TABSTREAM_STACK_DIR: lease.info.dir,
    });
  }
  const vitestBin = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  vitest = spawn(process.execPath, [vitestBin, 'run', ...vitestArgs], { cwd: root, env, stdio: 'inherit' });
  exitCode = await new Promise((done) => {
    vitest.on('error', (err) => {
      process.stderr.write(`run-tests: could not run vitest: ${err.message}\n`);
      done(1);
    });
    vitest.on('exit', (code, signal) => done(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });
} else {
  exitCode = 130;
}

if (lease) {
  try {
    await lease.release();
  } catch (err) {
    process.stderr.write(`run-tests: could not stop the test stack: ${err instanceof Error ? err.message : err}\n`);
    exitCode ||= 1;
  }
}
process.exit(exitCode);
