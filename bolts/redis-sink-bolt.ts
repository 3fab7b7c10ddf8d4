import type { BoltDefinition } from '../contracts/component';
import type { Bolt, Tuple } from '../contracts/bolt';
import type { CheckpointDraft } from '../contracts/checkpoint-draft';
import { frozenBytes, noteStored, type TabState } from './tab-state';
import { writeRecord } from './record-write';
import { RECORD_CLIENT } from '../state/redis-keys';

/**
 * The Redis sink: remembers which states changed and serializes them into
 * the task's next checkpoint, which the runtime writes to Redis in one atomic,
 * epoch-fenced step together with the input watermark.
 */
class RedisSinkBolt implements Bolt {
  private dirty = new Set<TabState>();

  execute(tuple: Tuple): void {
    this.dirty.add(tuple.entry as TabState);
  }

  checkpoint(draft: CheckpointDraft): void {
    for (const s of this.dirty) {
      if (s.pruned) continue; // deleted by the fold in this same checkpoint
      if (s.client === RECORD_CLIENT) {
        writeRecord(s, draft);
        continue;
      }
      // A state let rest since its last fold keeps the bytes that agree with it.
      const bytes = frozenBytes(s);
      noteStored(s, bytes);
      draft.states.push({ tab: s.tab, client: s.client, bytes });
    }
    this.dirty = new Set();
  }
}

/** It emits nothing (`never` fields): no bolt can group on it. */
export function redisSink(): BoltDefinition<unknown, never> {
  return { kind: 'bolt', type: 'redis-sink', outputFields: [], create: () => new RedisSinkBolt() };
}
