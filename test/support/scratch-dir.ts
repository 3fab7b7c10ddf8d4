// A fresh directory for a test's own files or its own local stack. Under
// `npm test` it lies in the run's scratch directory (TABSTREAM_TEST_SCRATCH),
// which the runner cleans up, stopping any stack left there, even when the
// run is interrupted before the test's afterAll can do it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(process.env.TABSTREAM_TEST_SCRATCH || tmpdir(), `${prefix}-`));
}
