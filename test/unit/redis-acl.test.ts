// The ACL users' rules as data: a reader reads its prefix's keys only and runs
// no write, a worker may do all a reader may and the writes, both are reset
// first and get no channel.
import { describe, expect, it } from 'vitest';
import { aclSetUserArgs, aclSetUserCommand, redisAclRules, redisRoleCommands } from '../../state/redis-acl';

const WRITES = ['set', 'hset', 'hsetnx', 'hdel', 'hincrby', 'del', 'unlink', 'sadd', 'zadd', 'persist', 'zremrangebyscore', 'eval', 'evalsha'];

describe('Redis ACL rules', () => {
  it('give a reader read-only keys of the prefix and read commands only', () => {
    const rules = redisAclRules('reader');
    expect(rules.slice(0, 6)).toEqual(['reset', 'on', 'resetkeys', '%R~ts:*', 'resetchannels', '-@all']);
    for (const write of WRITES) expect(rules).not.toContain(`+${write}`);
    expect(rules).toEqual(expect.arrayContaining(['+evalsha_ro', '+eval_ro', '+hscan', '+hgetall', '+info', '+cluster|slots']));
    expect(rules).not.toContain('+config|get');
  });

  it('give a worker what a reader has and the writes its scripts and deploy need, on its keys', () => {
    const worker = redisAclRules('worker', 'prod');
    expect(worker).toContain('~prod:*');
    for (const command of Object.keys(redisRoleCommands('reader'))) expect(worker).toContain(`+${command}`);
    for (const write of WRITES) expect(worker).toContain(`+${write}`);
    expect(worker.filter((rule) => rule.startsWith('+config') || rule.startsWith('+@') || rule === '+keys' || rule === '+flushall')).toEqual([]);
  });

  it('put the password after reset and on, and escape a prefix with glob characters', () => {
    expect(aclSetUserArgs('w', 'worker', 'pw').slice(0, 5)).toEqual(['w', 'reset', 'on', '>pw', 'resetkeys']);
    expect(redisAclRules('reader', 'a*b')).toContain('%R~a\\*b:*');
    expect(aclSetUserCommand('tabstream-reader', 'reader')).toMatch(/^ACL SETUSER tabstream-reader reset on ><password> resetkeys %R~ts:\* resetchannels -@all \+get /);
  });
});
