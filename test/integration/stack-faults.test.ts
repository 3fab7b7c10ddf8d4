// The local stack under faults, on its own directory and ports: a port taken
// by someone else, stale pid files, Kafka killed -9 then `dev up` again, Java
// missing, and `dev down` leaving no process behind.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackError, stackLayout, stackStatus, startStack, stopService, stopStack } from '../../deploy/stack/index';
import { processAlive, processesWithMarker } from '../../deploy/stack/process-table';
import { findExecutable } from '../../deploy/stack/requirements';
import { scratchDir } from '../support/scratch-dir';
import { freePorts } from '../support/free-ports';
import { KafkaAdmin } from '../../spouts/kafka-admin';
import { KafkaConnection } from '../../spouts/kafka-connection';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = scratchDir('stack-faults');
const layout = stackLayout(dir);


function holdPort(port: number): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin/topology.js'), ...args], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Processes (java, redis-server) that run a config from this stack's directory. */
const stackProcesses = () => processesWithMarker(`${layout.configDir}/`);

describe('local stack faults', () => {
  let zkPort: number;
  let kafkaPort: number;
  let redisPort: number;
  let portArgs: string[];

  beforeAll(async () => {
    [zkPort, kafkaPort, redisPort] = (await freePorts(3)) as [number, number, number];
    portArgs = ['--dir', dir, '--zk-port', String(zkPort), '--kafka-port', String(kafkaPort), '--redis-port', String(redisPort)];
  });

  afterAll(async () => {
    await stopStack(dir).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a port held by another process in one line and starts nothing', async () => {
    const squatter = await holdPort(redisPort);
    try {
      const result = await runCli(['dev', 'up', ...portArgs]);
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines.at(-1)).toMatch(new RegExp(`^topology: port ${redisPort} for redis is in use by another process`));
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(stackProcesses()).toEqual([]);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('says in one line that Java is missing when PATH has no java, and starts nothing', async () => {
    const bin = join(dir, 'path-without-java');
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, join(bin, 'node'));
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: bin };
    delete env.JAVA_HOME;
    const result = await runCli(['dev', 'up', ...portArgs], env);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^topology: Java 11\+ is required to run ZooKeeper and Kafka, but `java` was not found/);
    expect(stackProcesses()).toEqual([]);
  });

  it('says in one line that Maven is missing when the jar cache is empty and PATH has no mvn', async () => {
    const bin = join(dir, 'path-without-maven');
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, join(bin, 'node'));
    symlinkSync(findExecutable('java')!, join(bin, 'java'));
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: bin, XDG_CACHE_HOME: join(dir, 'empty-cache') };
    delete env.JAVA_HOME;
    const result = await runCli(['dev', 'up', ...portArgs], env);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^topology: Maven is needed once to fetch the Kafka and ZooKeeper jars, but `mvn` is not on PATH/);
    expect(stackProcesses()).toEqual([]);
  });

  it('ignores stale pid files (dead pid, pid of another program, garbage) and starts fresh', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stranger = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      mkdirSync(join(dir, 'pids'), { recursive: true });
      writeFileSync(layout.pidFile('zookeeper'), `${dead}\n`);
      writeFileSync(layout.pidFile('redis'), JSON.stringify({ pid: stranger.pid, marker: layout.configFile('redis') }));
      writeFileSync(layout.pidFile('kafka'), 'not a pid');

      const info = await startStack({ dir, zkPort, kafkaPort, redisPort });
      for (const service of ['zookeeper', 'kafka', 'redis'] as const) expect(info.services[service].running).toBe(true);
      expect(info.services.redis.pid).not.toBe(stranger.pid);
      expect(processAlive(stranger.pid!)).toBe(true); // never signalled
      expect(stackProcesses().map((p) => p.pid).sort()).toEqual(
        [info.services.zookeeper.pid, info.services.kafka.pid, info.services.redis.pid].sort(),
      );
    } finally {
      stranger.kill();
    }
  });

  it('is idempotent: a second start reuses every running process', async () => {
    const before = await stackStatus(dir);
    const again = await startStack({ dir });
    expect(again.services).toEqual(before.services);
  });

  it('refuses to move a running service to another port', async () => {
    const [otherPort] = (await freePorts(1)) as [number];
    await expect(startStack({ dir, redisPort: otherPort })).rejects.toMatchObject({ code: 'PORTS_CHANGED' });
  });

  it('recovers from Kafka killed with -9: `dev up` starts only Kafka, which serves again', async () => {
    const before = await stackStatus(dir);
    await stopService(dir, 'kafka', { signal: 'SIGKILL' });
    expect(processAlive(before.services.kafka.pid)).toBe(false);
    expect((await stackStatus(dir)).services.kafka.running).toBe(false);

    const result = await runCli(['dev', 'up', '--dir', dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`TABSTREAM_BROKERS=127.0.0.1:${kafkaPort}`);
    const after = await stackStatus(dir);
    expect(after.services.kafka.running).toBe(true);
    expect(after.services.kafka.pid).not.toBe(before.services.kafka.pid);
    expect(after.services.zookeeper.pid).toBe(before.services.zookeeper.pid);
    expect(after.services.redis.pid).toBe(before.services.redis.pid);

    const admin = new KafkaAdmin(new KafkaConnection([after.brokers]), 'stack-faults');
    try {
      const topic = `faults-${Date.now()}`;
      await admin.createTopics([{ topic, partitions: 1 }]);
      expect(await admin.partitionCount(topic)).toBe(1);
      await admin.deleteTopics([topic]);
    } finally {
      await admin.close();
    }
  });

  it('`dev down` stops everything it started and leaves no java or redis-server of the stack', async () => {
    const before = await stackStatus(dir);
    const result = await runCli(['dev', 'down', '--dir', dir]);
    expect(result.code, result.stderr).toBe(0);
    for (const service of ['zookeeper', 'kafka', 'redis'] as const) expect(processAlive(before.services[service].pid)).toBe(false);
    expect(stackProcesses()).toEqual([]);
    const status = await runCli(['dev', 'status', '--dir', dir, '--json']);
    expect(status.code).toBe(3);
    const info = JSON.parse(status.stdout) as Awaited<ReturnType<typeof stackStatus>>;
    expect(Object.values(info.services).map((s) => s.running)).toEqual([false, false, false]);
  });

  it('types its errors with a code', () => {
    const err = new StackError('PORT_IN_USE', 'x');
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('PORT_IN_USE');
  });
});
