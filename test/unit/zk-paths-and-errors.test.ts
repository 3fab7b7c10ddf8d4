import { describe, expect, it } from 'vitest';
import {
  BadVersionError,
  NoNodeError,
  NodeExistsError,
  NotEmptyError,
  ZkConnectionLossError,
  ZkError,
  ZkSessionExpiredError,
  mapZkError,
} from '../../topology/coordination/zk-errors';
import { absolutePath, ancestors, normalizeRoot, relativePath } from '../../topology/coordination/zk-paths';
import { TabstreamError } from '../../contracts/tabstream-error';

describe('znode paths under a root', () => {
  it('normalizes roots, refusing relative ones', () => {
    expect(normalizeRoot('/tabstream/')).toBe('/tabstream');
    expect(normalizeRoot('/')).toBe('');
    expect(() => normalizeRoot('tabstream')).toThrow(/absolute/);
  });

  it('maps relative paths to absolute ones and back', () => {
    expect(absolutePath('/tabstream', 'offsets/taba/tabs/0')).toBe('/tabstream/offsets/taba/tabs/0');
    expect(absolutePath('/tabstream', '/workers')).toBe('/tabstream/workers');
    expect(absolutePath('/tabstream', '')).toBe('/tabstream');
    expect(absolutePath('', 'workers')).toBe('/workers');
    expect(absolutePath('', '')).toBe('/');
    expect(relativePath('/tabstream', '/tabstream/leader/n-0000000001')).toBe('leader/n-0000000001');
    expect(relativePath('/tabstream', '/tabstream')).toBe('');
    expect(relativePath('', '/workers/w1')).toBe('workers/w1');
    expect(() => relativePath('/tabstream', '/tabstreamx/a')).toThrow(/not below/);
  });

  it('refuses empty, dot and trailing-slash segments', () => {
    for (const bad of ['a//b', 'a/', 'a/./b', '../x']) expect(() => absolutePath('/r', bad)).toThrow(/invalid znode path/);
  });

  it('lists ancestors outermost first', () => {
    expect(ancestors('/tabstream/offsets/taba')).toEqual(['/tabstream', '/tabstream/offsets']);
    expect(ancestors('/top')).toEqual([]);
  });
});

describe('mapZkError', () => {
  /** node-zookeeper-client's Exception carries a numeric code. */
  const exception = (code: number) => Object.assign(new Error(`code ${code}`), { code });

  it('maps ZooKeeper codes to typed errors with their retriability', () => {
    const cases: Array<[number, new (...args: never[]) => ZkError, boolean]> = [
      [-101, NoNodeError, false],
      [-110, NodeExistsError, false],
      [-103, BadVersionError, false],
      [-111, NotEmptyError, false],
      [-112, ZkSessionExpiredError, false],
      [-4, ZkConnectionLossError, true],
      [-7, ZkConnectionLossError, true],
    ];
    for (const [code, type, retriable] of cases) {
      const mapped = mapZkError(exception(code), '/tabstream/x');
      expect(mapped).toBeInstanceOf(type);
      expect(mapped).toBeInstanceOf(TabstreamError);
      expect(mapped).toMatchObject({ retriable });
      expect((mapped as ZkError).cause).toBeInstanceOf(Error);
    }
  });

  it('keeps other errors as a generic, permanent ZkError', () => {
    const mapped = mapZkError(exception(-108), '/tabstream/eph/child');
    expect(mapped).toBeInstanceOf(ZkError);
    expect(mapped).toMatchObject({ code: 'ZK_ERROR', retriable: false, zkCode: -108, path: '/tabstream/eph/child' });
  });
});
