#!/usr/bin/env node
// The `topology` CLI: runs the TypeScript sources directly through tsx, so
// there is no build step between a clone and a working command. It first
// installs what is missing and moves to the project's Node (bootstrap.js),
// so tsx is imported only then.
import { runOnProjectNode } from './bootstrap.js';
import { restartWithSemiSpace, semiSpaceMibOf } from '../topology/commands/young-generation.js';

await runOnProjectNode();
// A worker's young generation is set by starting again with it: best before tsx and the CLI load.
restartWithSemiSpace(semiSpaceMibOf(process.argv.slice(2)));
const { register } = await import('tsx/esm/api');
register();
await import('../topology/cli.ts');
