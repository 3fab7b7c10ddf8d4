#!/usr/bin/env node
// The `topology` CLI: runs the TypeScript sources directly through tsx, so
// there is no build step between a clone and a working command.
import { register } from 'tsx/esm/api';

register();
await import('../topology/cli.ts');
