// The jars ZooKeeper and Kafka run from: Maven resolves deploy/pom.xml once,
// and the classpath it prints is cached per pom (by hash) for later runs.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StackError } from './errors';
import { findMaven } from './requirements';

export const STACK_POM = fileURLToPath(new URL('../pom.xml', import.meta.url));

export function classpathCacheDir(pomText: string, env: NodeJS.ProcessEnv = process.env): string {
  const cacheRoot = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const pomHash = createHash('sha256').update(pomText).digest('hex').slice(0, 16);
  return join(cacheRoot, 'tabstream', pomHash);
}

/** The jar paths of the stack's classpath, resolving them with Maven when the cache is empty or stale. */
export async function stackClasspath(log: (line: string) => void): Promise<string[]> {
  const pomText = await readFile(STACK_POM, 'utf8');
  const cacheFile = join(classpathCacheDir(pomText), 'classpath.txt');
  const cached = await readClasspath(cacheFile);
  // A cached classpath is only good while its jars are still in the local Maven repository.
  if (cached && cached.every((jar) => existsSync(jar))) return cached;

  const mvn = findMaven();
  log('stack: resolving the Kafka and ZooKeeper jars with Maven (first run only)');
  await mkdir(join(cacheFile, '..'), { recursive: true });
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  const started = Date.now();
  try {
    await runMaven(mvn, ['-q', '-B', '-f', STACK_POM, 'dependency:build-classpath', `-Dmdep.outputFile=${tmp}`]);
    await rename(tmp, cacheFile); // atomic: a concurrent run never reads half a classpath
  } finally {
    await rm(tmp, { force: true });
  }
  log(`stack: jars resolved in ${((Date.now() - started) / 1000).toFixed(1)} s; classpath cached in ${cacheFile}`);
  const resolved = await readClasspath(cacheFile);
  if (!resolved || resolved.length === 0) throw new StackError('MAVEN_FAILED', `Maven wrote an empty classpath for ${STACK_POM}`);
  return resolved;
}

async function readClasspath(file: string): Promise<string[] | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return text ? text.split(delimiter) : undefined;
  } catch {
    return undefined;
  }
}

function runMaven(mvn: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(mvn, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (err) => reject(new StackError('MAVEN_FAILED', `could not run ${mvn}: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) return resolve();
      reject(new StackError('MAVEN_FAILED', `Maven could not fetch the Kafka and ZooKeeper jars (exit ${code}): ${firstMavenError(output)}`));
    });
  });
}

/** The first `[ERROR]` line Maven printed, stripped of its prefix and color codes. */
export function firstMavenError(output: string): string {
  const lines = output.replace(/\u001b\[[0-9;]*m/g, '').split('\n');
  const error = lines.find((line) => line.startsWith('[ERROR]') && line.length > '[ERROR] '.length);
  return (error ?? lines.filter(Boolean).at(-1) ?? 'no output').replace(/^\[ERROR\]\s*/, '').trim();
}
