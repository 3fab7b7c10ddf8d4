// Pure helpers of the local stack: config rendering, pid and stack files,
// version parsing, /proc parsing and the process-identity rule.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstMavenError } from '../../deploy/stack/classpath';
import { quoteArgfile } from '../../deploy/stack/launch-plans';
import { isRecordedProcess } from '../../deploy/stack/ownership';
import { formatPidFile, parsePidFile } from '../../deploy/stack/pid-file';
import { parseProcStat } from '../../deploy/stack/process-table';
import { isServingReply } from '../../deploy/stack/readiness';
import { CONFIG_TEMPLATE_DIR, renderTemplate } from '../../deploy/stack/render-config';
import { parseJavaMajor, parseRedisMajor } from '../../deploy/stack/requirements';
import { parseStackFile } from '../../deploy/stack/stack-file';

const template = (name: string) => readFileSync(join(CONFIG_TEMPLATE_DIR, name), 'utf8');
const values = { zkPort: 12181, kafkaPort: 19092, redisPort: 16379, groupInitialRebalanceDelayMs: 0, dataDir: '/tmp/s/data/x' };

describe('renderTemplate', () => {
  it('fills every placeholder and refuses a missing value', () => {
    expect(renderTemplate('a={{a}} b={{ b }}', { a: 1, b: 'x' })).toBe('a=1 b=x');
    expect(() => renderTemplate('a={{a}} c={{c}}', { a: 1 })).toThrow(/no value for c/);
  });

  it('renders the Kafka config with our listener, ZooKeeper and the settings the runtime relies on', () => {
    const config = renderTemplate(template('server.properties'), values);
    expect(config).not.toMatch(/\{\{/);
    for (const line of [
      'listeners=PLAINTEXT://127.0.0.1:19092',
      'advertised.listeners=PLAINTEXT://127.0.0.1:19092',
      'zookeeper.connect=127.0.0.1:12181',
      'broker.id=0',
      'offsets.topic.replication.factor=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=false',
      'delete.topic.enable=true',
      'zookeeper.session.timeout.ms=6000',
      'log.dirs=/tmp/s/data/x',
    ]) {
      expect(config.split('\n')).toContain(line);
    }
    // The fault suite's stack runs Kafka's own default instead.
    expect(renderTemplate(template('server.properties'), { ...values, groupInitialRebalanceDelayMs: 3000 }).split('\n')).toContain('group.initial.rebalance.delay.ms=3000');
  });

  it('renders ZooKeeper with short sessions allowed and Redis with AOF only', () => {
    const zk = renderTemplate(template('zookeeper.properties'), values).split('\n');
    expect(zk).toEqual(expect.arrayContaining(['clientPort=12181', 'minSessionTimeout=500', 'admin.enableServer=false', 'clientPortAddress=127.0.0.1']));
    const redis = renderTemplate(template('redis.conf'), values).split('\n');
    expect(redis).toEqual(expect.arrayContaining(['port 16379', 'bind 127.0.0.1', 'appendonly yes', 'save ""', 'dir /tmp/s/data/x']));
  });
});

describe('pid files', () => {
  it('round-trips a record', () => {
    const record = { pid: 4242, startTime: '123456', marker: '/s/config/redis.conf' };
    expect(parsePidFile(formatPidFile(record))).toEqual(record);
  });

  it('accepts a bare pid and rejects garbage', () => {
    expect(parsePidFile('777\n')).toEqual({ pid: 777 });
    for (const text of ['', 'abc', '{"pid":"12"}', '{"pid":1}', '{"pid":-5}', '{"pid":3.5}', '[1]', '{"pid":12,"startTime":5}', '{"pid": 12']) {
      expect(parsePidFile(text), text).toBeUndefined();
    }
  });
});

describe('isRecordedProcess', () => {
  const record = { pid: 100, startTime: '555', marker: '/s/config/server.properties' };
  const facts = { pid: 100, startTime: '555', commandLine: 'java ... kafka.Kafka /s/config/server.properties' };

  it('is true only for the same pid, start time and marker on the command line', () => {
    expect(isRecordedProcess(record, facts, 'unused')).toBe(true);
    expect(isRecordedProcess(record, undefined, 'unused')).toBe(false);
    expect(isRecordedProcess(record, { ...facts, startTime: '556' }, 'unused')).toBe(false); // pid reused
    expect(isRecordedProcess(record, { ...facts, commandLine: 'vim notes.txt' }, 'unused')).toBe(false);
  });

  it('falls back to the expected marker when the record has none', () => {
    expect(isRecordedProcess({ pid: 100 }, facts, '/s/config/server.properties')).toBe(true);
    expect(isRecordedProcess({ pid: 100 }, facts, '/other/config/server.properties')).toBe(false);
  });
});

describe('parsers', () => {
  it('reads state and start time from /proc/<pid>/stat, even with spaces and parens in the name', () => {
    const stat = '4242 (my (odd) proc) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 3 0 987654 1000 10 0 0';
    expect(parseProcStat(stat)).toEqual({ state: 'S', startTime: '987654' });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('reads Java and Redis major versions', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajor('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajor('command not found')).toBeUndefined();
    expect(parseRedisMajor('Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0')).toBe(7);
    expect(parseRedisMajor('Redis server v=6.2.6 sha=0')).toBe(6);
  });

  it('reads stack.json and rejects bad ports', () => {
    expect(parseStackFile('{"zkPort":1,"kafkaPort":2,"redisPort":3}')).toEqual({ zkPort: 1, kafkaPort: 2, redisPort: 3 });
    expect(parseStackFile('{"zkPort":1,"kafkaPort":2,"redisPort":3,"startedForLeases":true}')?.startedForLeases).toBe(true);
    expect(parseStackFile('{"zkPort":1,"kafkaPort":70000,"redisPort":3}')).toBeUndefined();
    expect(parseStackFile('nope')).toBeUndefined();
  });

  it('picks the first Maven error line', () => {
    const output = '[INFO] Scanning\n\u001b[1;31m[ERROR]\u001b[m Failed to execute goal: Could not resolve dependencies\n[ERROR] \n[ERROR] more';
    expect(firstMavenError(output)).toBe('Failed to execute goal: Could not resolve dependencies');
    expect(firstMavenError('')).toBe('no output');
  });

  it('tells a serving ZooKeeper from one still starting by its srvr reply', () => {
    expect(isServingReply('Zookeeper version: 3.8.4\nLatency min/avg/max: 0/0.0/0\nMode: standalone\nNode count: 5\n')).toBe(true);
    expect(isServingReply('This ZooKeeper instance is not currently serving requests\n')).toBe(false);
    expect(isServingReply('')).toBe(false);
  });

  it('quotes a java @argfile value', () => {
    expect(quoteArgfile('/a b/x.jar:/c"d\\e.jar')).toBe('"/a b/x.jar:/c\\"d\\\\e.jar"');
  });
});
