// The local stack's Redis shapes (one server, a Redis Cluster, Redis under
// Sentinel) as pure logic: nodes, ports, URLs, stack.json, rendered configs,
// and reading what the servers and Sentinels say or wrote.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redisNodeSettings, withSettings } from '../../deploy/stack/launch-plans';
import type { StackPorts } from '../../deploy/stack/layout';
import { assertPortsInRange, nodeName, parseNodeName, portOf, portsOfNode, redisUrl, stackNodes } from '../../deploy/stack/layout';
import { parseInfo } from '../../deploy/stack/redis-call';
import { redisTlsFiles, redisTlsSettings } from '../../deploy/stack/redis-tls';
import { stackLayout } from '../../deploy/stack/layout';
import { parseClusterNodes } from '../../deploy/stack/redis-cluster';
import { masterInSentinelConfig, redisNodeOnPort, sentinelConfigFits } from '../../deploy/stack/redis-sentinel';
import { CONFIG_TEMPLATE_DIR, renderTemplate } from '../../deploy/stack/render-config';
import { parseStackFile } from '../../deploy/stack/stack-file';

const base: StackPorts = { zkPort: 2181, kafkaPort: 9092, redisPort: 6379 };
const cluster: StackPorts = { ...base, redisMode: 'cluster' };
const sentinel: StackPorts = { ...base, redisMode: 'sentinel' };
const names = (ports: StackPorts, service: string) => stackNodes(ports).filter((n) => n.service === service).map((n) => nodeName(n.service, n.node));

describe('nodes and ports of each Redis shape', () => {
  it('one server: redis on --redis-port, no Sentinel, the URL as ever', () => {
    expect(names(base, 'redis')).toEqual(['redis']);
    expect(names(base, 'sentinel')).toEqual([]);
    expect(portsOfNode(base, { service: 'redis', node: 1 })).toEqual([6379]);
    expect(redisUrl(base)).toBe('redis://127.0.0.1:6379');
  });

  it('a cluster: redis..redis-6 on consecutive ports, each with its bus 10000 above, every one a seed of the URL', () => {
    expect(names(cluster, 'redis')).toEqual(['redis', 'redis-2', 'redis-3', 'redis-4', 'redis-5', 'redis-6']);
    expect(names(cluster, 'redis').map((name) => portOf(cluster, 'redis', parseNodeName(name).node))).toEqual([6379, 6380, 6381, 6382, 6383, 6384]);
    expect(portsOfNode(cluster, { service: 'redis', node: 6 })).toEqual([6384, 16384]);
    expect(redisUrl(cluster)).toBe('redis-cluster://127.0.0.1:6379,127.0.0.1:6380,127.0.0.1:6381,127.0.0.1:6382,127.0.0.1:6383,127.0.0.1:6384');
  });

  it('under Sentinel: redis and redis-2, then sentinel..sentinel-3 on the next ports, the Sentinels and the master name in the URL', () => {
    expect(stackNodes(sentinel).map((n) => nodeName(n.service, n.node))).toEqual(['zookeeper', 'kafka', 'redis', 'redis-2', 'sentinel', 'sentinel-2', 'sentinel-3']);
    expect([1, 2, 3].map((node) => portOf(sentinel, 'sentinel', node))).toEqual([6381, 6382, 6383]);
    expect(portsOfNode(sentinel, { service: 'redis', node: 2 })).toEqual([6380]);
    expect(redisUrl(sentinel)).toBe('redis-sentinel://127.0.0.1:6381,127.0.0.1:6382,127.0.0.1:6383/tabstream');
    expect(parseNodeName('sentinel-3')).toEqual({ service: 'sentinel', node: 3 });
    expect(parseNodeName('sentinel')).toEqual({ service: 'sentinel', node: 1 });
  });

  it('refuses ports past 65535, the cluster bus ports included', () => {
    expect(() => assertPortsInRange({ ...cluster, redisPort: 55_530 })).not.toThrow();
    expect(() => assertPortsInRange({ ...cluster, redisPort: 55_531 })).toThrow(/redis-6 would need port 65536, past 65535; choose a lower --redis-port/);
    expect(() => assertPortsInRange({ ...sentinel, redisPort: 65_532 })).toThrow(/sentinel-3 would need port 65536/);
    expect(() => assertPortsInRange({ ...base, kafkaPort: 65_534, brokers: 3 })).toThrow(/kafka-3 would need port 65536, past 65535; choose a lower --kafka-port/);
  });

  it('records the shape in stack.json and ignores an unknown one', () => {
    expect(parseStackFile('{"zkPort":1,"kafkaPort":2,"redisPort":3,"redisMode":"cluster"}')?.redisMode).toBe('cluster');
    expect(parseStackFile('{"zkPort":1,"kafkaPort":2,"redisPort":3,"redisMode":"sentinel","brokers":3}')).toEqual({ zkPort: 1, kafkaPort: 2, redisPort: 3, redisMode: 'sentinel', brokers: 3 });
    expect(parseStackFile('{"zkPort":1,"kafkaPort":2,"redisPort":3,"redisMode":"galaxy"}')).toEqual({ zkPort: 1, kafkaPort: 2, redisPort: 3 });
  });

  it('one server over TLS: rediss:// on --redis-port, recorded in stack.json', () => {
    expect(redisUrl({ ...base, redisTls: true })).toBe('rediss://127.0.0.1:6379');
    expect(parseStackFile('{"zkPort":1,"kafkaPort":2,"redisPort":3,"redisTls":true}')).toEqual({ zkPort: 1, kafkaPort: 2, redisPort: 3, redisTls: true });
    expect(parseStackFile('{"zkPort":1,"kafkaPort":2,"redisPort":3,"redisTls":"yes"}')).toEqual({ zkPort: 1, kafkaPort: 2, redisPort: 3 });
  });
});

describe('Redis configs', () => {
  const template = (name: string) => readFileSync(join(CONFIG_TEMPLATE_DIR, name), 'utf8');
  const conf = (ports: StackPorts, node: number, master = 1) =>
    withSettings(renderTemplate(template('redis.conf'), { redisPort: portOf(ports, 'redis', node), dataDir: `/s/data/${nodeName('redis', node)}` }), redisNodeSettings(ports, node, `/s/data/${nodeName('redis', node)}`, master), ' ').split('\n');

  it('every server is durable and never evicts: AOF fsynced on each write, noeviction', () => {
    for (const lines of [conf(base, 1), conf(cluster, 4), conf(sentinel, 2)]) {
      expect(lines).toEqual(expect.arrayContaining(['appendonly yes', 'appendfsync always', 'maxmemory-policy noeviction', 'save ""']));
    }
    expect(redisNodeSettings(base, 1, '/s/data/redis', 1)).toEqual([]);
  });

  it('a cluster node keeps its cluster config in its data dir and a short node timeout', () => {
    expect(conf(cluster, 3)).toEqual(expect.arrayContaining(['port 6381', 'cluster-enabled yes', 'cluster-config-file /s/data/redis-3/nodes.conf', 'cluster-node-timeout 2000']));
  });

  it('under Sentinel the master has no replicaof, the other server replicates it', () => {
    expect(conf(sentinel, 1).some((line) => line.startsWith('replicaof'))).toBe(false);
    expect(conf(sentinel, 2)).toContain('replicaof 127.0.0.1 6379');
    // After a failover to redis-2, redis starts as its replica.
    expect(conf(sentinel, 1, 2)).toContain('replicaof 127.0.0.1 6380');
    expect(conf(sentinel, 2, 2).some((line) => line.startsWith('replicaof'))).toBe(false);
  });

  it('over TLS: no plaintext port, TLS on the Redis port with the stack CA, client certificates optional', () => {
    const files = redisTlsFiles(stackLayout('/s'));
    const lines = withSettings(conf(base, 1).join('\n'), redisTlsSettings(files, 6379), ' ').split('\n');
    expect(lines).toEqual(expect.arrayContaining(['port 0', 'tls-port 6379', 'tls-cert-file /s/tls/redis.crt', 'tls-key-file /s/tls/redis.key', 'tls-ca-cert-file /s/tls/ca.crt', 'tls-auth-clients optional']));
    expect(lines).not.toContain('port 6379');
  });

  it('withSettings replaces a `key value` line where the key is set and adds the others', () => {
    expect(withSettings('port 1\nappendonly yes\n', [['appendonly', 'no'], ['replicaof', '127.0.0.1 5']], ' ')).toBe('port 1\nappendonly no\n\n# This node of a multi-node stack\nreplicaof 127.0.0.1 5\n');
  });
});

describe('Sentinel configs', () => {
  const rendered = (sentinelPort: number, masterPort: number) =>
    renderTemplate(readFileSync(join(CONFIG_TEMPLATE_DIR, 'sentinel.conf'), 'utf8'), { sentinelPort, dataDir: '/s/data/sentinel', masterName: 'tabstream', masterPort, quorum: 2 });
  // What a Sentinel made of its file after a failover to redis-2 (CONFIG REWRITE keeps the rendered lines' order).
  const rewritten = rendered(6381, 6379).replace('sentinel monitor tabstream 127.0.0.1 6379 2', 'sentinel monitor tabstream 127.0.0.1 6380 2') +
    '\n# Generated by CONFIG REWRITE\nprotected-mode no\nsentinel myid 620a2a4b\nsentinel config-epoch tabstream 3\nsentinel leader-epoch tabstream 3\nsentinel current-epoch 3\nsentinel known-replica tabstream 127.0.0.1 6379\n';

  it('monitors the master by name with quorum 2 and short dev timeouts', () => {
    const lines = rendered(6381, 6379).split('\n');
    expect(lines).toEqual(
      expect.arrayContaining(['port 6381', 'sentinel monitor tabstream 127.0.0.1 6379 2', 'sentinel down-after-milliseconds tabstream 2000', 'sentinel failover-timeout tabstream 10000']),
    );
  });

  it('reads the master and its config epoch from a rendered or rewritten config', () => {
    expect(masterInSentinelConfig(rendered(6381, 6379))).toEqual({ port: 6379, epoch: 0 });
    expect(masterInSentinelConfig(rewritten)).toEqual({ port: 6380, epoch: 3 });
    expect(masterInSentinelConfig('port 6381\n')).toBeUndefined();
  });

  it('keeps a config that fits the stack (what the Sentinel learnt stays), not one of other ports', () => {
    expect(sentinelConfigFits(rendered(6381, 6379), sentinel, 1)).toBe(true);
    expect(sentinelConfigFits(rewritten, sentinel, 1)).toBe(true);
    expect(sentinelConfigFits(rewritten, sentinel, 2)).toBe(false); // sentinel-2 listens on 6382
    expect(sentinelConfigFits(rewritten, { ...sentinel, redisPort: 7379 }, 1)).toBe(false);
    expect(sentinelConfigFits(rendered(6381, 6390), sentinel, 1)).toBe(false); // a master that is not one of the stack's servers
    expect(redisNodeOnPort(sentinel, 6380)).toBe(2);
    expect(redisNodeOnPort(sentinel, 6381)).toBeUndefined();
  });
});

describe('what Redis says', () => {
  it('parses CLUSTER NODES: roles, masters, slot ranges (not slots being migrated), failing flags', () => {
    const nodes = parseClusterNodes(
      [
        'c752 127.0.0.1:33381@43381 master - 0 1796166206209 3 connected 10923-16383',
        '84d7 127.0.0.1:33382@43382 slave c752 0 1796166206911 5 connected',
        '7c05 127.0.0.1:33380@43380,host-b master,fail - 0 1796166206209 2 disconnected 5461-10921 10922 [10922->-c752]',
        '7d3b 127.0.0.1:33379@43379 myself,master - 0 1796166206000 1 connected 0-5460',
        '',
      ].join('\n'),
    );
    expect(nodes.map((n) => [n.port, n.role, n.masterId, n.slots, n.failing, n.myself])).toEqual([
      [33381, 'master', undefined, [[10923, 16383]], false, false],
      [33382, 'replica', 'c752', [], false, false],
      [33380, 'master', undefined, [[5461, 10921], [10922, 10922]], true, false],
      [33379, 'master', undefined, [[0, 5460]], false, true],
    ]);
  });

  it('parses INFO and CLUSTER INFO fields', () => {
    expect(parseInfo('# Replication\r\nrole:slave\r\nmaster_link_status:up\r\n')).toEqual({ role: 'slave', master_link_status: 'up' });
    expect(parseInfo('cluster_state:ok\r\ncluster_slots_assigned:16384\r\n').cluster_slots_assigned).toBe('16384');
  });
});
