// A Tab record as Redis holds it: its base (field `<tab>\0*`) and, where a
// checkpoint wrote one since, its delta (`<tab>\0*+`); the record is the
// two merged (docs/redis-layout.md, bolts/record-write.ts). Every reader
// that reads both fields builds the record here.
import type { TabHandler } from '../tabs/handlers/handler';

/** The record's state from its stored base and delta (null: none). */
export function storedRecordState(handler: TabHandler, base: Uint8Array, delta: Uint8Array | null): unknown {
  const state = handler.deserialize(base);
  if (delta !== null) handler.mergeState!(state, handler.deserialize(delta));
  return state;
}
