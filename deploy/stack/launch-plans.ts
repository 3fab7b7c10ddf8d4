// How each service is launched: its rendered config in <dir>/config/ and the
// exact command line. The config file's absolute path is always on that
// command line; it is how the stack recognises its own processes later.
import { mkdir, writeFile } from 'node:fs/promises';
import type { ServiceName, StackLayout, StackPorts } from './layout';
import { renderTemplateFile } from './render-config';
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
const MAIN_CLASSES = {
  zookeeper: 'org.apache.zookeeper.server.quorum.QuorumPeerMain',
  kafka: 'kafka.Kafka',
};

export async function prepareLaunch(layout: StackLayout, ports: StackPorts, service: ServiceName, runtimes: Runtimes): Promise<LaunchPlan> {
  await mkdir(layout.configDir, { recursive: true });
  await mkdir(layout.dataDir(service), { recursive: true });
  await mkdir(join(layout.dir, 'logs'), { recursive: true });
  const values = { ...ports, groupInitialRebalanceDelayMs: ports.groupInitialRebalanceDelayMs ?? 0, dataDir: layout.dataDir(service) };
  const configFile = layout.configFile(service);
  const templateName = { zookeeper: 'zookeeper.properties', kafka: 'server.properties', redis: 'redis.conf' }[service];
  await writeFile(configFile, await renderTemplateFile(templateName, values));
  if (service === 'redis') return { command: required(runtimes.redisServer, 'redis-server'), args: [configFile] };
  return javaLaunch(layout, service, configFile, runtimes);
}

async function javaLaunch(layout: StackLayout, service: 'zookeeper' | 'kafka', configFile: string, runtimes: Runtimes): Promise<LaunchPlan> {
  const log4j = join(layout.configDir, 'log4j.properties');
  await writeFile(log4j, await renderTemplateFile('log4j.properties', {}));
  // The classpath (56 jars) goes into a java @argfile so `ps` stays readable.
  const classpathArgs = join(layout.configDir, 'classpath.args');
  await writeFile(classpathArgs, `-cp ${quoteArgfile(required(runtimes.classpath, 'classpath').join(':'))}\n`);
  return {
    command: required(runtimes.java, 'java'),
    args: [
      ...HEAPS[service],
      ...JVM_FLAGS,
      `-Dlog4j.configuration=file:${log4j}`,
      `-Dkafka.logs.dir=${join(layout.dir, 'logs')}`,
      `@${classpathArgs}`,
      MAIN_CLASSES[service],
      configFile,
    ],
  };
}

/** A java @argfile value: double-quoted, with backslashes and quotes escaped. */
export function quoteArgfile(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`internal: launch needs ${what}`);
  return value;
}
