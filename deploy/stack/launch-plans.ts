// How each service is launched: its rendered config in <dir>/config/ and the
// exact command line. The config file's absolute path is always on that
// command line; it is how the stack recognises its own processes later.
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import type { ServiceName, StackLayout, StackPorts } from './layout';
import { nodeCount, portOf, redisMode, zkConnectString, zkQuorumPorts } from './layout';
import { currentMasterNode, prepareSentinelConfig } from './redis-sentinel';
import { ensureRedisCertificates, redisTlsSettings } from './redis-tls';
import { renderTemplateFile } from './render-config';
import { secureKafkaSettings, secureRedisSettings, stackSecrets } from './secure-stack';
import { join } from 'node:path';

export interface LaunchPlan {
  command: string;
  args: string[];
}

export interface Runtimes {
  java?: string;
  classpath?: string[];
  redisServer?: string;
}

const JVM_FLAGS = ['-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true'];
const HEAPS: Record<'zookeeper' | 'kafka', string[]> = {
  zookeeper: ['-Xms64m', '-Xmx256m'],
  kafka: ['-Xms256m', '-Xmx1g'],
};
/** A multi-node stack runs up to six JVMs on one machine beside the workers: half the heaps (about 2 GiB at most for 3 + 3). */
const CLUSTER_HEAPS: Record<'zookeeper' | 'kafka', string[]> = {
  zookeeper: ['-Xms32m', '-Xmx128m'],
  kafka: ['-Xms128m', '-Xmx512m'],
};
/** An ensemble's limits, in ticks of 250 ms: a follower has 10 s to sync with a new leader, and is dropped after 5 s of silence. */
const ZK_INIT_LIMIT_TICKS = 40;
const ZK_SYNC_LIMIT_TICKS = 20;
/**
 * A Redis Cluster node that does not answer its peers this long is failed
 * over to its replica. Redis's default, 15 s, suits a production network; on
 * one machine 2 s notices a killed node fast enough for a test to wait on the
 * failover, and still rides out a busy machine's pauses. (It also scales
 * how stale a replica may be and still be promoted: cut off from its master
 * for over 10 x 2 s + 10 s, by the default `cluster-replica-validity-factor`, it is not.)
 */
const CLUSTER_NODE_TIMEOUT_MS = 2_000;
/** Replicas of each topic on a cluster of brokers, and how many must acknowledge a write (acks=all). */
const CLUSTER_REPLICATION = 3;
const CLUSTER_MIN_ISR = 2;
const MAIN_CLASSES = {
  zookeeper: 'org.apache.zookeeper.server.quorum.QuorumPeerMain',
  kafka: 'kafka.Kafka',
};

export async function prepareLaunch(layout: StackLayout, ports: StackPorts, service: ServiceName, runtimes: Runtimes, node = 1): Promise<LaunchPlan> {
  await mkdir(layout.configDir, { recursive: true });
  const dataDir = layout.dataDir(service, node);
  await mkdir(dataDir, { recursive: true });
  await mkdir(join(layout.dir, 'logs'), { recursive: true });
  const configFile = layout.configFile(service, node);
  if (service === 'sentinel') {
    // Rendered once: a Sentinel rewrites its own config as it learns (the current master among it).
    await prepareSentinelConfig(layout, ports, node);
    return { command: required(runtimes.redisServer, 'redis-server'), args: [configFile, '--sentinel'] };
  }
  const values = {
    zkPort: portOf(ports, 'zookeeper', node),
    kafkaPort: portOf(ports, 'kafka', node),
    redisPort: portOf(ports, 'redis', node),
    groupInitialRebalanceDelayMs: ports.groupInitialRebalanceDelayMs ?? 0,
    dataDir,
  };
  const templateName = { zookeeper: 'zookeeper.properties', kafka: 'server.properties', redis: 'redis.conf' }[service];
  let config = await renderTemplateFile(templateName, values);
  if (service === 'zookeeper' && nodeCount(ports, 'zookeeper') > 1) {
    // An ensemble: every server lists them all, and knows which one it is by <dataDir>/myid.
    await writeFile(join(dataDir, 'myid'), `${node}\n`);
    config = withSettings(config, zkEnsembleSettings(ports));
  }
  if (service === 'kafka') config = withSettings(config, kafkaClusterSettings(ports, node));
  if (service === 'kafka' && ports.secure) config = withSettings(config, await secureKafkaSettings(await stackSecrets(layout), values.kafkaPort));
  if (service === 'redis') {
    // Under Sentinel a server starts as the replica of the master the Sentinels name now, or as that master.
    const master = redisMode(ports) === 'sentinel' ? await currentMasterNode(layout, ports) : 1;
    config = withSettings(config, redisNodeSettings(ports, node, dataDir, master), ' ');
    if (ports.redisTls) {
      const tls = redisTlsSettings(await ensureRedisCertificates(layout), portOf(ports, 'redis', node));
      config = withSettings(config, tls, ' ', 'TLS only: no plaintext port (port 0), TLS on the stack\'s Redis port');
    }
    if (ports.secure) config = withSettings(config, await secureRedisSettings(await stackSecrets(layout)), ' ', "ACL users: default off, the stack's own, the workers', the readers'");
  }
  // A secure broker's config holds its keystore's and SCRAM passwords: its owner's eyes only.
  await writeFile(configFile, config, { mode: 0o600 });
  await chmod(configFile, 0o600);
  if (service === 'redis') return { command: required(runtimes.redisServer, 'redis-server'), args: [configFile] };
  const multiNode = nodeCount(ports, 'zookeeper') > 1 || nodeCount(ports, 'kafka') > 1;
  return javaLaunch(layout, service, configFile, runtimes, multiNode ? CLUSTER_HEAPS[service] : HEAPS[service]);
}

/**
 * What Redis server `node` changes from the one-server template: nothing for
 * one server; a cluster node's settings; under Sentinel, `replicaof` the
 * master (node `master`) on every other server. Replicas of either shape
 * sync at once (`repl-diskless-sync-delay` 0, not 5 s) so the stack is ready sooner.
 */
export function redisNodeSettings(ports: StackPorts, node: number, dataDir: string, master: number): Array<[string, string]> {
  switch (redisMode(ports)) {
    case 'single':
      return [];
    case 'cluster':
      return [
        ['cluster-enabled', 'yes'],
        ['cluster-config-file', join(dataDir, 'nodes.conf')],
        ['cluster-node-timeout', String(CLUSTER_NODE_TIMEOUT_MS)],
        ['repl-diskless-sync-delay', '0'],
      ];
    case 'sentinel':
      return [['repl-diskless-sync-delay', '0'], ...(node === master ? [] : [['replicaof', `127.0.0.1 ${portOf(ports, 'redis', master)}`] as [string, string]])];
  }
}

/** server.N lines of every ZooKeeper server of the ensemble, and its sync limits. */
export function zkEnsembleSettings(ports: StackPorts): Array<[string, string]> {
  const servers: Array<[string, string]> = [];
  for (let n = 1; n <= nodeCount(ports, 'zookeeper'); n++) {
    const { peer, election } = zkQuorumPorts(ports, n);
    servers.push([`server.${n}`, `127.0.0.1:${peer}:${election}`]);
  }
  return [['initLimit', String(ZK_INIT_LIMIT_TICKS)], ['syncLimit', String(ZK_SYNC_LIMIT_TICKS)], ...servers];
}

/** What broker `node` of a stack changes from the single-broker template: nothing on a one-node stack. */
export function kafkaClusterSettings(ports: StackPorts, node: number): Array<[string, string]> {
  const settings: Array<[string, string]> = [];
  if (nodeCount(ports, 'zookeeper') > 1) settings.push(['zookeeper.connect', zkConnectString(ports)]);
  const brokers = nodeCount(ports, 'kafka');
  if (brokers === 1) return settings;
  const replicas = String(Math.min(CLUSTER_REPLICATION, brokers));
  const minIsr = String(brokers >= CLUSTER_REPLICATION ? CLUSTER_MIN_ISR : 1);
  settings.push(
    ['broker.id', String(node - 1)],
    ['default.replication.factor', replicas],
    ['min.insync.replicas', minIsr],
    ['offsets.topic.replication.factor', replicas],
    ['transaction.state.log.replication.factor', replicas],
    ['transaction.state.log.min.isr', minIsr],
  );
  return settings;
}

/**
 * A config file with each setting replaced where its key is set, and added at
 * the end where it is not: `key=value` lines of a properties file, or
 * `key value` lines of a Redis config (`separator` ' ').
 */
export function withSettings(properties: string, settings: Array<[string, string]>, separator = '=', heading = 'This node of a multi-node stack'): string {
  const lines = properties.split('\n');
  const added: string[] = [];
  for (const [key, value] of settings) {
    const at = lines.findIndex((line) => line.startsWith(`${key}${separator}`));
    if (at >= 0) lines[at] = `${key}${separator}${value}`;
    else added.push(`${key}${separator}${value}`);
  }
  if (added.length === 0) return lines.join('\n');
  const body = lines.join('\n').replace(/\n*$/, '\n');
  return `${body}\n# ${heading}\n${added.join('\n')}\n`;
}

async function javaLaunch(layout: StackLayout, service: 'zookeeper' | 'kafka', configFile: string, runtimes: Runtimes, heap: string[]): Promise<LaunchPlan> {
  const log4j = join(layout.configDir, 'log4j.properties');
  await writeAtomically(log4j, await renderTemplateFile('log4j.properties', {}));
  // The classpath (56 jars) goes into a java @argfile so `ps` stays readable.
  const classpathArgs = join(layout.configDir, 'classpath.args');
  await writeAtomically(classpathArgs, `-cp ${quoteArgfile(required(runtimes.classpath, 'classpath').join(':'))}\n`);
  return {
    command: required(runtimes.java, 'java'),
    args: [
      ...heap,
      ...JVM_FLAGS,
      `-Dlog4j.configuration=file:${log4j}`,
      `-Dkafka.logs.dir=${join(layout.dir, 'logs')}`,
      `@${classpathArgs}`,
      MAIN_CLASSES[service],
      configFile,
    ],
  };
}

/** Nodes of a multi-node stack start side by side and share these files: a JVM starting must never read one half written. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** A java @argfile value: double-quoted, with backslashes and quotes escaped. */
export function quoteArgfile(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`internal: launch needs ${what}`);
  return value;
}
