import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, configFileOf, resolveConfig } from '../../topology/config';

/** A config file holding `content`. */
const file = (content: object): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'tabstream-config-')), 'config.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
};

describe('resolveConfig: maxEventFutureMs', () => {
  it('defaults to 1 h, and keeps the other keys as they were', () => {
    const config = resolveConfig({}, {});
    expect(config.maxEventFutureMs).toBe(3_600_000);
    expect(config).toEqual(DEFAULT_CONFIG);
  });

  it('comes from the flag, else the environment, else the config file', () => {
    const config = file({ maxEventFutureMs: 1000, flushIntervalMs: 250 });
    expect(resolveConfig({ config }, {}).maxEventFutureMs).toBe(1000);
    expect(resolveConfig({ config }, {}).flushIntervalMs).toBe(250);
    expect(resolveConfig({ config }, { TABSTREAM_MAX_EVENT_FUTURE_MS: '2000' }).maxEventFutureMs).toBe(2000);
    expect(resolveConfig({ config, maxEventFuture: '0' }, { TABSTREAM_MAX_EVENT_FUTURE_MS: '2000' }).maxEventFutureMs).toBe(0);
  });

  it('refuses what is not a non-negative integer of milliseconds', () => {
    for (const bad of ['-1', '1.5', 'soon', ' ']) expect(() => resolveConfig({ maxEventFuture: bad }, {})).toThrow(/maxEventFutureMs/);
    expect(() => resolveConfig({ config: file({ maxEventFutureMs: '1h' }) }, {})).toThrow(/maxEventFutureMs/);
  });
});

describe('resolveConfig: the working set, Taba GC and the blocklist', () => {
  it('defaults to 256 MiB, 2 days, nothing blocked', () => {
    expect(resolveConfig({}, {})).toMatchObject({ workingSetMiB: 256, staleTabAfterMs: 172_800_000, blockedTabs: [] });
  });

  it('comes from the flag, else the environment, else the config file', () => {
    const config = file({ workingSetMiB: 64, staleTabAfterMs: 1000, blockedTabs: ['a.*'] });
    expect(resolveConfig({ config }, {})).toMatchObject({ workingSetMiB: 64, staleTabAfterMs: 1000, blockedTabs: ['a.*'] });
    const env = { TABSTREAM_WORKING_SET_MIB: '128', TABSTREAM_STALE_TAB_AFTER_MS: '0', TABSTREAM_BLOCKED_TABS: 'x, y.*' };
    expect(resolveConfig({ config }, env)).toMatchObject({ workingSetMiB: 128, staleTabAfterMs: 0, blockedTabs: ['x', 'y.*'] });
    expect(resolveConfig({ config, workingSetMib: '0.5', staleTabAfter: '5', blockedTabs: 'z' }, env)).toMatchObject({ workingSetMiB: 0.5, staleTabAfterMs: 5, blockedTabs: ['z'] });
  });

  it('refuses what it cannot use', () => {
    for (const bad of ['0', '-1', 'lots']) expect(() => resolveConfig({ workingSetMib: bad }, {})).toThrow(/workingSetMiB/);
    expect(() => resolveConfig({ staleTabAfter: '2d' }, {})).toThrow(/staleTabAfterMs/);
    expect(() => resolveConfig({ config: file({ blockedTabs: [1] }) }, {})).toThrow(/blockedTabs/);
  });
});

describe('resolveConfig: the config file from --config or TABSTREAM_CONFIG', () => {
  it('reads TABSTREAM_CONFIG as it reads --config, and the flag wins over the variable', () => {
    const fromEnv = file({ zk: 'env-file:2181', serve: { tokensFile: '/etc/tabstream/tokens' } });
    const fromFlag = file({ zk: 'flag-file:2181' });
    expect(resolveConfig({}, { TABSTREAM_CONFIG: fromEnv })).toMatchObject({ zk: 'env-file:2181', serve: { tokensFile: '/etc/tabstream/tokens' } });
    expect(resolveConfig({ config: fromFlag }, { TABSTREAM_CONFIG: fromEnv }).zk).toBe('flag-file:2181');
    expect(configFileOf({ config: fromFlag }, { TABSTREAM_CONFIG: fromEnv })).toBe(fromFlag);
    expect(configFileOf({}, { TABSTREAM_CONFIG: '' })).toBeUndefined();
    // The file's settings still lose to the environment's own.
    expect(resolveConfig({}, { TABSTREAM_CONFIG: fromEnv, TABSTREAM_ZK: 'env:2181' }).zk).toBe('env:2181');
  });

  it('an unreadable file is one line naming it, and where it was named', () => {
    expect(() => resolveConfig({}, { TABSTREAM_CONFIG: '/no/such/config.json' })).toThrow(/^config file \/no\/such\/config\.json \(TABSTREAM_CONFIG\): cannot read it: ENOENT/);
    expect(() => resolveConfig({ config: '/no/such/config.json' }, {})).toThrow(/^config file \/no\/such\/config\.json: cannot read it/);
    const broken = join(mkdtempSync(join(tmpdir(), 'tabstream-config-')), 'broken.json');
    writeFileSync(broken, '{"zk": ');
    expect(() => resolveConfig({ config: broken }, {})).toThrow(/^config file .*broken\.json: not JSON: /);
  });
});
