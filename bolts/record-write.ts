// What a checkpoint writes for a Tab record (client `*`): its whole merged
// state (the base), or only its delta (`*+`: the events folded into it since
// the base was written). A record merges a Tab's every client, so a busy
// Tab's is large (a unique Tab's HyperLogLog sketches of all its clients'
// values: tens of KB), and every checkpoint that touched it rewrote it
// whole: with traffic over all Tabs, every record every second. The delta
// of one interval is small; the base is written again once its delta has
// grown to a quarter of it (the bytes a record costs per checkpoint then
// stay near the geometric mean of the two, not the base), or whenever the
// base is small. Base and delta are written in the same atomic checkpoint
// as the watermark, so Redis's base merged with its delta is always the
// record at that watermark.
import type { CheckpointDraft } from '../topology/runtime/checkpoint-draft';
import { RECORD_CLIENT, RECORD_DELTA_CLIENT } from '../state/redis-keys';
import { noteStored, type TabState } from './tab-state';

/** A base this small is always written whole. */
const SMALL_BASE_BYTES = 1024;
/** The base is written again once the delta is this share of it. */
const DELTA_SHARE = 0.25;

export function writeRecord(entry: TabState, draft: CheckpointDraft): void {
  const { handler, tab } = entry;
  const delta = handler.serialize(entry.delta);
  const base = entry.baseBytes;
  if (base !== undefined && base >= SMALL_BASE_BYTES && delta.length < base * DELTA_SHARE) {
    draft.states.push({ tab, client: RECORD_DELTA_CLIENT, bytes: delta });
    entry.storedDelta = true;
    return;
  }
  const bytes = handler.serialize(entry.state);
  noteStored(entry, bytes);
  draft.states.push({ tab, client: RECORD_CLIENT, bytes });
  if (entry.storedDelta !== false) draft.deleted.push({ tab, client: RECORD_DELTA_CLIENT });
  entry.baseBytes = bytes.length;
  entry.delta = handler.newState();
  entry.storedDelta = false;
}
