// The programs the stack runs on: Java for ZooKeeper and Kafka, Maven once to
// fetch their jars, redis-server from the system's packages.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { StackError } from './errors';

const MIN_JAVA_MAJOR = 11; // Kafka 3.9 brokers need Java 11+
const MIN_REDIS_MAJOR = 7;

export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** `java -version` prints e.g. `openjdk version "17.0.15"` or `java version "1.8.0_392"`. */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/** `redis-server --version` prints e.g. `Redis server v=7.0.15 sha=...`. */
export function parseRedisMajor(versionOutput: string): number | undefined {
  const match = /v=(\d+)\./.exec(versionOutput);
  return match ? Number(match[1]) : undefined;
}

export function findJava(): string {
  const javaHome = process.env.JAVA_HOME;
  const java = javaHome ? join(javaHome, 'bin', 'java') : findExecutable('java');
  if (!java || !isExecutable(java)) {
    throw new StackError(
      'JAVA_MISSING',
      `Java ${MIN_JAVA_MAJOR}+ is required to run ZooKeeper and Kafka, but ${javaHome ? `$JAVA_HOME/bin/java (${java})` : '`java`'} was not found; install a JDK or JRE (e.g. apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME`,
    );
  }
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8' });
  const major = parseJavaMajor(`${probe.stderr ?? ''}${probe.stdout ?? ''}`);
  if (major === undefined || major < MIN_JAVA_MAJOR) {
    throw new StackError('JAVA_TOO_OLD', `${java} is Java ${major ?? 'of unknown version'}; Kafka 3.9 needs Java ${MIN_JAVA_MAJOR}+ (17 recommended)`);
  }
  return java;
}

export function findMaven(): string {
  const mvn = findExecutable('mvn');
  if (!mvn) {
    throw new StackError(
      'MAVEN_MISSING',
      'Maven is needed once to fetch the Kafka and ZooKeeper jars, but `mvn` is not on PATH; install it (e.g. apt-get install -y maven)',
    );
  }
  return mvn;
}

/** Finds redis-server, installing the Debian package when running as root. */
export function findRedisServer(log: (line: string) => void): string {
  let redis = findExecutable('redis-server');
  if (!redis && process.getuid?.() === 0 && findExecutable('apt-get')) {
    log('redis: redis-server is missing; installing it with apt-get');
    installRedisWithApt();
    redis = findExecutable('redis-server');
  }
  if (!redis) {
    throw new StackError(
      'REDIS_MISSING',
      'Redis 7 is required but `redis-server` is not on PATH; install it (e.g. sudo apt-get install -y redis-server)',
    );
  }
  const major = parseRedisMajor(execFileSync(redis, ['--version'], { encoding: 'utf8' }));
  if (major === undefined || major < MIN_REDIS_MAJOR) {
    throw new StackError('REDIS_TOO_OLD', `${redis} is Redis ${major ?? 'of unknown version'}; Tabstream needs Redis ${MIN_REDIS_MAJOR}+`);
  }
  return redis;
}

function installRedisWithApt(): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '-q', 'redis-server'], { env, stdio: 'ignore' }).status === 0;
  if (install()) return;
  spawnSync('apt-get', ['update', '-q'], { env, stdio: 'ignore' });
  install();
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
