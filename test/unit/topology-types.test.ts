// A topology registers Tab types next to its bolts: the built-in types stay,
// a clash or a non-handler is one line, and a module that fails to load is
// one line naming it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderDescription, topology, TopologyError, type TopologyBuilder } from '../../topology/dsl';
import { kafkaSpout } from '../../spouts/kafka-spout';
import { parseBolt } from '../../bolts/parse-bolt';
import { counterHandler } from '../../tabs/handlers/counter';
import { defaultRegistry } from '../../tabs/handlers/registry';
import { tabTypesOf } from '../../topology/topology-types';
import { loadTopology } from '../../topology/loader';
import { TopologyModuleError } from '../../topology/topology-module-error';
import { createHistogramType } from '../../examples/histogram-type';
import { scratchDir } from '../support/scratch-dir';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const histogram = createHistogramType({ bounds: [1, 10] });

function withTypes(...types: unknown[]): (t: TopologyBuilder) => void {
  return (t) => {
    for (const type of types) t.tabType(type as { type: string });
    const events = t.spout('events', kafkaSpout({ topic: 'tabs', keyField: 'tab' }));
    t.bolt('parse', parseBolt()).localOrShuffle(events);
  };
}

/** The one line an error of `fn` says. */
function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('Tab types registered by a topology', () => {
  it('adds its types beside the built-in ones, and describes them', () => {
    const t = topology('hist', withTypes(histogram));
    expect(t.tabTypes.map((d) => d.type)).toEqual(['histogram']);
    const registry = tabTypesOf(t);
    expect(registry.types()).toEqual([...defaultRegistry().types(), 'histogram']);
    expect(registry.get('histogram')).toBe(histogram);
    expect(renderDescription(t.describe(2))).toContain('  Tab types: histogram (beside the built-in ones)');
  });

  it('leaves the base registry as it was', () => {
    const base = defaultRegistry();
    tabTypesOf(topology('hist', withTypes(histogram)), base);
    expect(base.has('histogram')).toBe(false);
  });

  it('refuses a type named as a built-in one, in one line naming topology and type', () => {
    const err = errorOf(() => tabTypesOf(topology('clash', withTypes({ ...counterHandler }))));
    expect(err).toBeInstanceOf(TopologyError);
    expect(err.message).toBe("topology 'clash' registers Tab type 'counter', which is built in: give the type another name");
  });

  it('refuses a type declared twice, and a declaration that names no type', () => {
    expect(() => topology('twice', withTypes(histogram, createHistogramType({ bounds: [5] })))).toThrow("topology 'twice' declares Tab type 'histogram' twice");
    expect(() => topology('nameless', withTypes({ fold: () => {} }))).toThrow(/^topology 'nameless': a Tab type must be a TabHandler with a string 'type', got an object with \["fold"\]$/);
    expect(() => topology('nothing', withTypes(null))).toThrow(TopologyError);
  });

  it('refuses what is no TabHandler when it is registered', () => {
    const err = errorOf(() => tabTypesOf(topology('odd', withTypes({ ...histogram, merge: undefined, render: 3 }))));
    expect(err).toBeInstanceOf(TopologyError);
    expect(err.message).toBe("topology 'odd', Tab type 'histogram': handler 'histogram' is no TabHandler: merge, render must be functions");
    expect(() => tabTypesOf(topology('kind', withTypes({ ...histogram, valueKind: 'date' })))).toThrow(/valueKind must be 'number', 'string', 'any', got "date"/);
    expect(() => tabTypesOf(topology('bad-name', withTypes({ ...histogram, type: 'a b' })))).toThrow(/handler type "a b" must be 1\.\.64 chars/);
  });
});

describe('loadTopology: a module that fails is one line naming it', () => {
  const dir = scratchDir('topology-modules');
  const module = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const dsl = JSON.stringify(join(ROOT, 'topology/dsl/index.ts'));
  const spout = JSON.stringify(join(ROOT, 'spouts/kafka-spout.ts'));
  const counter = JSON.stringify(join(ROOT, 'tabs/handlers/counter.ts'));

  async function failureOf(ref: string): Promise<Error> {
    return loadTopology(ref).then(
      () => {
        throw new Error(`${ref} loaded`);
      },
      (err: Error) => err,
    );
  }

  it('a missing file', async () => {
    const ref = join(dir, 'absent.ts');
    const err = await failureOf(ref);
    expect(err).toBeInstanceOf(TopologyModuleError);
    expect(err.message).toMatch(new RegExp(`^topology module ${ref} failed to load: .+$`));
    expect(err.message.split('\n')).toHaveLength(1);
  });

  it('a module that throws while importing, with a multi-line message', async () => {
    const ref = module('throws.ts', "throw new Error('first line\\nsecond line\\nthird');\nexport default null;\n");
    const err = await failureOf(ref);
    expect(err.message).toBe(`topology module ${ref} failed to load: first line`);
  });

  it('a module whose factory throws, or that exports no topology', async () => {
    const factory = module('factory.ts', "export default () => { throw new RangeError('no topic given'); };\n");
    expect((await failureOf(factory)).message).toBe(`topology module ${factory} failed to build its topology: no topic given`);
    const none = module('none.ts', 'export default 42;\n');
    expect((await failureOf(none)).message).toBe(`topology module ${none} does not export a topology (default export)`);
  });

  it('a module that registers a built-in type name fails to load (so deploy fails) with that one line', async () => {
    const ref = module(
      'clash.ts',
      `import { topology } from ${dsl};\nimport { kafkaSpout } from ${spout};\nimport { counterHandler } from ${counter};\n` +
        "export default topology('clash', (t) => { t.tabType({ ...counterHandler }); t.spout('events', kafkaSpout({ topic: 'tabs' })); });\n",
    );
    const err = await failureOf(ref);
    expect(err.message).toBe("topology 'clash' registers Tab type 'counter', which is built in: give the type another name");
  });

  it('loads the example topology with its histogram type', async () => {
    const t = await loadTopology(join(ROOT, 'examples/histogram-topology.ts'), { name: 'lat', topic: 'lat-tabs' });
    expect(t.name).toBe('lat');
    expect(tabTypesOf(t).get('histogram')?.valueKind).toBe('number');
  });
});
