// Runs bench/hot-path.ts in a process of its own (it exposes the collector
// and holds 2 M events in memory) and reads its one line of figures.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_ROOT } from './bench-stack';
import type { HotPathFigures } from './bench-results';

export function measureHotPath(shape: 'production' | 'small' = 'production'): HotPathFigures {
  const out = spawnSync(process.execPath, ['--import', 'tsx', join(BENCH_ROOT, 'bench/hot-path.ts'), shape, '--json'], { cwd: BENCH_ROOT, encoding: 'utf8', timeout: 600_000, maxBuffer: 1 << 20 });
  if (out.status !== 0) throw new Error(`bench/hot-path.ts failed (${out.status ?? out.signal}): ${out.stderr.slice(-2000)}`);
  const line = out.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as HotPathFigures;
}
