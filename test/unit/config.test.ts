import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, resolveConfig } from '../../topology/config';

describe('resolveConfig: maxEventFutureMs', () => {
  const file = (content: object): string => {
    const path = join(mkdtempSync(join(tmpdir(), 'tabstream-config-')), 'config.json');
    writeFileSync(path, JSON.stringify(content));
    return path;
  };

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
