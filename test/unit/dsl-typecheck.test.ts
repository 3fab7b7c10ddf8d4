// vitest strips types without checking them, and `npm test` runs no tsc: so
// this runs tsc over the DSL's type tests (topology-handles.test.ts, where an
// `@ts-expect-error` line that compiles is an error) and over the topologies
// written with the DSL, and a change that lets a wrong input or field compile
// fails the test run too. One small project (fixtures/tsconfig.dsl-types.json): about 2 s.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
const PROJECT = fileURLToPath(new URL('./fixtures/tsconfig.dsl-types.json', import.meta.url));

describe('the DSL type tests', () => {
  it('typecheck: each misuse marked @ts-expect-error is a compile error, the rest compiles', () => {
    const tsc = spawnSync(process.execPath, [TSC, '--noEmit', '--pretty', 'false', '-p', PROJECT], { cwd: ROOT, encoding: 'utf8' });
    expect(tsc.error).toBeUndefined();
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });
});
