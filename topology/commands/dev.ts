// `topology dev up|status|down|logs`: the local ZooKeeper, Kafka and Redis
// (see deploy/stack/ and docs/operations.md, "Local stack").
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { relative } from 'node:path';
import type { StackInfo } from '../../deploy/stack/index';
import { DEFAULT_PORTS, DEFAULT_STACK_DIR, SERVICE_NAMES, parseNodeName, stackLayout } from '../../deploy/stack/layout';

/** The stack's machinery, loaded when a `dev` command runs: every other command starts faster without it. */
const stack = () => import('../../deploy/stack/index');

const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new InvalidArgumentError('not a port (1-65535)');
  return port;
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count <= 0) throw new InvalidArgumentError('not a positive integer');
  return count;
}

function parseNodeCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 9) throw new InvalidArgumentError('not a node count (1-9)');
  return count;
}

function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

function serviceTable(info: StackInfo): string {
  return info.nodes.map((service) => {
    const state = service.running ? `pid ${service.pid}` : 'stopped';
    return `${service.name.padEnd(11)} 127.0.0.1:${String(service.port).padEnd(6)} ${state.padEnd(10)} log ${shortPath(service.log)}`;
  }).join('\n');
}

function envLines(info: StackInfo): string {
  const tls = info.redisTls === undefined ? [] : [`TABSTREAM_REDIS_CA=${info.redisTls.ca}`];
  const lines = [`TABSTREAM_ZK=${info.zk}`, `TABSTREAM_BROKERS=${info.brokers}`, `TABSTREAM_REDIS=${info.redis}`, ...tls];
  // A secure stack's config file carries all of these and its TLS and SASL settings (paths to the secrets, not the secrets).
  return (info.config === undefined ? lines : [`TABSTREAM_CONFIG=${info.config}`]).join('\n');
}

export function registerDevCommands(program: Command): void {
  const dev = program.command('dev').description('run a local ZooKeeper, Kafka and Redis (or a Redis Cluster, or Redis under Sentinel)');

  dev
    .command('up')
    .description('start what is missing of the local stack and wait until it answers')
    .option('--dir <dir>', 'stack directory (data, logs, pids)', DEFAULT_STACK_DIR)
    .option('--zk-port <port>', `ZooKeeper port (default ${DEFAULT_PORTS.zkPort}, or the stack's last)`, parsePort)
    .option('--kafka-port <port>', `Kafka port (default ${DEFAULT_PORTS.kafkaPort}, or the stack's last)`, parsePort)
    .option('--redis-port <port>', `Redis port (default ${DEFAULT_PORTS.redisPort}, or the stack's last)`, parsePort)
    .option('--brokers <n>', "Kafka brokers on consecutive ports from --kafka-port (default 1, or the stack's last; 3: topics replicated 3 times, min ISR 2)", parseNodeCount)
    .option('--zk-nodes <n>', "ZooKeeper servers on consecutive ports from --zk-port, an ensemble when more than 1 (default 1, or the stack's last)", parseNodeCount)
    .addOption(
      new Option('--redis-cluster', "a Redis Cluster of 3 masters with a replica each, redis..redis-6 on --redis-port and the 5 ports after it, each + 10000 too for the cluster bus (default: one Redis, or the stack's last shape)").conflicts('redisSentinel'),
    )
    .addOption(new Option('--redis-sentinel', 'Redis under Sentinel: master redis and replica redis-2 on --redis-port and the next, Sentinels sentinel..sentinel-3 on the 3 ports after them, master name tabstream'))
    .option('--secure', "Kafka on SASL_SSL only (SCRAM-SHA-512, a CA of the stack's own), secrets in <dir>/secrets/; prints TABSTREAM_CONFIG=<file> for every command (default: off, or the stack's last)")
    .addOption(new Option('--redis-tls', "one Redis speaking TLS only on --redis-port (rediss://), certificates of the stack's own CA in <dir>/tls/ (default off, or the stack's last)").conflicts(['redisCluster', 'redisSentinel']))
    .option('--no-redis-tls', 'Redis in plaintext again, on a stack that ran it over TLS')
    .action(async (opts: { dir: string; zkPort?: number; kafkaPort?: number; redisPort?: number; brokers?: number; zkNodes?: number; redisCluster?: boolean; redisSentinel?: boolean; redisTls?: boolean; secure?: boolean }) => {
      const { redisCluster, redisSentinel, ...rest } = opts;
      const redisMode = redisCluster ? 'cluster' : redisSentinel ? 'sentinel' : undefined;
      const info = await (await stack()).startStack({ ...rest, ...(redisMode && { redisMode }), log: progress });
      process.stdout.write(`${serviceTable(info)}\n\n${envLines(info)}\n`);
    });

  dev
    .command('status')
    .description('show which services of the local stack run (exit code 3 when not all do)')
    .option('--dir <dir>', 'stack directory', DEFAULT_STACK_DIR)
    .option('--json', 'print the status as JSON')
    .action(async (opts: { dir: string; json?: boolean }) => {
      const info = await (await stack()).stackStatus(opts.dir);
      process.stdout.write(opts.json ? `${JSON.stringify(info, null, 2)}\n` : `${serviceTable(info)}\n`);
      if (!info.nodes.every((node) => node.running)) process.exitCode = 3;
    });

  dev
    .command('down')
    .description('stop the services `dev up` started (SIGTERM, then SIGKILL after a grace period)')
    .option('--dir <dir>', 'stack directory', DEFAULT_STACK_DIR)
    .action(async (opts: { dir: string }) => {
      await (await stack()).stopStack(opts.dir, { log: progress });
      process.stdout.write(`stack in ${shortPath((await (await stack()).stackStatus(opts.dir)).dir)} is down\n`);
    });

  dev
    .command('logs <service>')
    .description(`print the end of a service's log (${SERVICE_NAMES.join(', ')}; kafka-2, zookeeper-3, redis-4, sentinel-2, ... on a multi-node stack)`)
    .option('--dir <dir>', 'stack directory', DEFAULT_STACK_DIR)
    .option('--lines <n>', 'how many lines', parseCount, 50)
    .action(async (name: string, opts: { dir: string; lines: number }) => {
      const { service, node } = parseNodeName(name);
      const info = await (await stack()).stackStatus(opts.dir);
      const log = info.nodes.find((n) => n.service === service && n.node === node)?.log ?? stackLayout(opts.dir).logFile(service, node);
      const tail = await (await stack()).logTail(log, opts.lines);
      process.stdout.write(tail ? `${tail}\n` : `(no log yet at ${shortPath(log)})\n`);
    });
}
