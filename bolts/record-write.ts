// What a checkpoint writes for a Tab record: the whole record (its base,
// field `<tab>\0*`), or only its delta (`<tab>\0*+`: the events folded into it
// since the base was written, a state of the Tab's type). A record merges
// all of a Tab's clients, so a busy Tab's is large (a unique Tab's
// HyperLogLog sketches of its clients' values, a percentile's bins: KBs),
// and with traffic over every Tab each checkpoint rewrote every record
// whole: most of the bytes a checkpoint wrote, the workers' serializing and
// sending them, Redis's storing and appending them. The delta of an interval
// is small; the base is written again once the delta has grown to a share
// of it, and a small record is always written whole. A record in delta mode
// holds only its delta's objects (what its events fold into) and the base's
// bytes, unread: the two are merged only to write the base again, or to
// freeze the record (tab-state.ts, wholeRecord). Base and delta are
// written in the same atomic checkpoint as the watermark, so the base
// merged with the delta is always the record at Redis's watermark; readers
// merge the two (state/tab-query.ts, the fold's fetch, the stale collector).
import type { CheckpointDraft } from '../contracts/checkpoint-draft';
import { RECORD_CLIENT, RECORD_DELTA_CLIENT } from '../state/redis-keys';
import { deltaWritten, recordWritten, wholeRecord, type TabState } from './tab-state';

/** A record this small is written whole each time (its delta would save little). */
export const SMALL_RECORD_BYTES = 1024;
/**
 * The base is written again once the delta has grown to this share of it.
 * Writing the base again from a delta costs a read of the base, a merge and
 * a serialization (~2.5 serializations of the record), and a percentile
 * record's delta of one interval touches most of the bins its base holds:
 * at a quarter, 59 % of its writes at Taba's shape wrote the base again
 * (bench:task). At half, the Tab records' bytes written fell by 15 % and
 * the checkpoints' CPU by 5-14 % (bench:task at 10,000 and 1,000 messages
 * a checkpoint).
 */
export const DELTA_SHARE_OF_BASE = 0.5;

/** Puts the record's write into the draft: its delta while that stays small (unless `compact`), else the whole record. */
export function writeRecord(entry: TabState, draft: CheckpointDraft, compact = false): void {
  const { tab, base } = entry;
  if (base !== undefined && !compact) {
    const bytes = entry.handler.serialize(entry.state);
    if (bytes.length < base.length * DELTA_SHARE_OF_BASE) {
      draft.states.push({ tab, client: RECORD_DELTA_CLIENT, bytes });
      entry.storedDelta = true;
      deltaWritten(entry, bytes.length);
      return;
    }
  }
  const whole = wholeRecord(entry);
  draft.states.push({ tab, client: RECORD_CLIENT, bytes: whole.bytes });
  // The new base holds everything: a delta Redis may hold beside the old one goes.
  if (entry.storedDelta !== false) draft.deleted.push({ tab, client: RECORD_DELTA_CLIENT });
  entry.storedDelta = false;
  recordWritten(entry, whole.state, whole.bytes, SMALL_RECORD_BYTES);
}
