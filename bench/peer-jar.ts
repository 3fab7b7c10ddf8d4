// The benchmark's Java side (bench/peers/kafka-streams): the Kafka Streams
// peer and the topic writer, in one jar built with Maven when it is missing
// or older than its sources (the first build fetches its jars from Maven Central).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { findMaven } from '../deploy/stack/requirements';
import { BENCH_ROOT } from './bench-stack';

const PEER_DIR = join(BENCH_ROOT, 'bench/peers/kafka-streams');
export const PEER_JAR = join(PEER_DIR, 'target/tabstream-kafka-streams-peer.jar');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function runMaven(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(findMaven(), args, { cwd: PEER_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`mvn ${args.join(' ')} exited ${code}:\n${output.slice(-3000)}`))));
  });
}

export async function ensurePeerJar(log: (line: string) => void): Promise<string> {
  const sourcesAt = Math.max(newestSource(join(PEER_DIR, 'src')), statSync(join(PEER_DIR, 'pom.xml')).mtimeMs);
  if (existsSync(PEER_JAR) && statSync(PEER_JAR).mtimeMs >= sourcesAt) return PEER_JAR;
  log('building the Java peer (bench/peers/kafka-streams) with Maven');
  const started = Date.now();
  await runMaven(['-q', '-B', 'package']);
  log(`built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return PEER_JAR;
}
