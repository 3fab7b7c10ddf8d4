// The project brings its own Node (the node-linux-* package, pinned in
// package.json): the tests, and every process they spawn with
// process.execPath, run on it, and bin/bootstrap.js moves a command started
// on another Node (the system's) there.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROJECT_NODE = join(ROOT, 'node_modules', '.bin', 'node');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; optionalDependencies: Record<string, string> };
const pinned: string | undefined = pkg.optionalDependencies[`node-${process.platform}-${process.arch}`];

/** A `node` on PATH other than the project's (the system's), if any. */
function otherNode(): string | undefined {
  const project = existsSync(PROJECT_NODE) ? realpathSync(PROJECT_NODE) : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'node');
    if (dir !== '' && existsSync(candidate) && realpathSync(candidate) !== project) return candidate;
  }
  return undefined;
}

describe("the project's Node", () => {
  it('runs the tests', () => {
    if (pinned === undefined) {
      // No node-* package for this platform: the bootstrap accepts a Node of at least 22.22.
      const [major, minor] = process.versions.node.split('.').map(Number);
      expect(major > 22 || (major === 22 && minor >= 22)).toBe(true);
      return;
    }
    expect(process.version).toBe(`v${pinned}`);
    expect(realpathSync(process.execPath)).toBe(realpathSync(PROJECT_NODE));
  });

  it.skipIf(pinned === undefined || otherNode() === undefined)('runs `topology` started on another Node (the system one)', () => {
    const out = execFileSync(otherNode()!, [join(ROOT, 'bin/topology.js'), '--version'], { cwd: ROOT, encoding: 'utf8' });
    expect(out.trim()).toBe(`tabstream ${pkg.version} on Node v${pinned}`);
  });
});
