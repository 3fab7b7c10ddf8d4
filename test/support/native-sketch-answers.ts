// What the native murmurhash3 and the hyperloglog package answered, recorded
// before they were removed (test/unit/fixtures/native-murmur3-hyperloglog.json).
// Read with JSON.parse: the fixture holds lone surrogates (\ud800), which
// JSON allows and vite's JSON import refuses.
import { readFileSync } from 'node:fs';
import type { RegisterSetSpec } from './register-sets';

export interface NativeSketchAnswers {
  hashes: Array<{ value: string; words: number[] }>;
  nulEntries: Array<{ value: string; entry: number }>;
  estimatesFromValues: Array<{ prefix: string; count: number; estimate: number }>;
  estimatesOfRegisters: Array<{ spec: RegisterSetSpec; estimate: number }>;
}

export const nativeSketchAnswers: NativeSketchAnswers = JSON.parse(
  readFileSync(new URL('../unit/fixtures/native-murmur3-hyperloglog.json', import.meta.url), 'utf8'),
);
