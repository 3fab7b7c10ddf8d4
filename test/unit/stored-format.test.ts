// The stored format of each Tab type, pinned: states serialized by the format
// in force when the fixture was recorded (v1, test/unit/fixtures/
// stored-states-v1.json) read back to the same figures, and today's code
// writes the same bytes. A change of the stored format bumps the handler's
// version byte and keeps reading this fixture (the upgrade path: Redis holds
// v1 states until they are written again); its second check is then
// pointed at a fixture of the new version.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../tabs/handlers/registry';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/stored-states-v1.json', import.meta.url), 'utf8')) as Record<string, { bytes: string; now: number; rendered: unknown }>;
const registry = defaultRegistry();

describe('stored states of format v1', () => {
  for (const [type, { bytes, now, rendered }] of Object.entries(fixture)) {
    it(`${type}: reads back to the figures it was written with, and is written the same way today`, () => {
      const handler = registry.get(type)!;
      const stored = Buffer.from(bytes, 'base64');
      expect(stored[0]).toBe(1);
      const state = handler.deserialize(stored);
      expect(JSON.parse(JSON.stringify(handler.render(handler.project(state, now))))).toEqual(rendered);
      expect(Buffer.from(handler.serialize(state)).toString('base64')).toBe(bytes);
    });
  }

  it('covers every built-in type', () => {
    expect(Object.keys(fixture).sort()).toEqual(['buffer', 'counter', 'gauge', 'percentile', 'unique']);
  });
});
