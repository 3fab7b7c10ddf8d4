// How many of a task's states the pruning examines a second (ResidentStates.prune).
// Pruning finds states whose handler says they expired (a gauge past its expiry, a
// windowed state whose windows emptied) or that went stale (no event for the stale
// time, two days by default): deleting one sooner saves only its room in Redis (an
// expired state already reads as nothing), so a pass over every state every few
// minutes is enough. At a fixed 2,000 a second, a task of ~20,000 states (the
// latency bench's shape) was passed over every ten seconds, 2.8 % of each worker
// (a latency probe's profile), for nothing.

/** Each of a task's states is examined once in this long, up to PRUNE_MAX_PER_SECOND (a task of over 600,000 states takes longer). */
export const PRUNE_SWEEP_SECONDS = 300;
/**
 * At most this many a second, however many states: judging a frozen one reads
 * its bytes, a cost per second of every task. A partition of 750,000 states
 * (Taba's production shape over 8 partitions) is passed over in about 6 minutes.
 */
export const PRUNE_MAX_PER_SECOND = 2_000;
/** At least this many a second: a task of a few states passes over them within a second or two. */
export const PRUNE_MIN_PER_SECOND = 100;

/** States to examine a second for a task holding `states`. */
export function prunePerSecond(states: number): number {
  return Math.min(PRUNE_MAX_PER_SECOND, Math.max(PRUNE_MIN_PER_SECOND, Math.ceil(states / PRUNE_SWEEP_SECONDS)));
}
