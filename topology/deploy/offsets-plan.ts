/**
 * The plan of `topology offsets <name> --to-… `: from each partition's
 * position (Redis's watermark + 1, the truth) and the topic's earliest and
 * end offsets, where each partition moves, and what that skips or replays.
 * Pure: the command reads the services, this decides.
 */

/** Where the operator asks the positions to go. */
export type OffsetTarget =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'offset'; offset: number }
  | { kind: 'shift'; by: number }
  /** `offsets`: per partition, the first offset whose record's timestamp is at or after the time (Kafka's answer; the end when none is). */
  | { kind: 'time'; time: number; offsets: ReadonlyMap<number, number> };

/** Where a partition stands now. */
export interface PartitionPosition {
  partition: number;
  /** The next offset the topology reads: Redis's watermark + 1. */
  position: number;
  /** The topic partition's first retained offset and its end offset (the next to be written). */
  earliest: number;
  end: number;
}

export interface PartitionMove {
  partition: number;
  from: number;
  /** The target asked for, before clamping to [earliest, end]. */
  requested: number;
  to: number;
  /** Which bound the target was clamped to, if any. */
  clamped: 'earliest' | 'end' | null;
  kind: 'skip' | 'rewind' | 'none';
  /** Records Kafka still holds that the move skips (never folded) or reads again. */
  skipped: number;
  replayed: number;
  /** The partition's states, Tab types and dedup window are deleted (rebuilt from `to` on). */
  resetState: boolean;
}

export interface PlanOptions {
  /** Only these partitions; all when absent. */
  partitions?: readonly number[];
  resetState: boolean;
}

/** One partition's move toward `target`, clamped to what Kafka holds. */
export function planMove(p: PartitionPosition, target: OffsetTarget, resetState: boolean): PartitionMove {
  const requested = requestedOffset(p, target);
  const to = Math.min(Math.max(requested, p.earliest), p.end);
  const clamped = requested < p.earliest ? 'earliest' : requested > p.end ? 'end' : null;
  const from = p.position;
  return {
    partition: p.partition,
    from,
    requested,
    to,
    clamped,
    kind: to > from ? 'skip' : to < from ? 'rewind' : 'none',
    // Offsets below `earliest` were deleted by retention and above `end` do not exist yet: only records Kafka holds count.
    skipped: Math.max(0, to - Math.max(from, p.earliest)),
    replayed: Math.max(0, Math.min(from, p.end) - to),
    resetState,
  };
}

function requestedOffset(p: PartitionPosition, target: OffsetTarget): number {
  switch (target.kind) {
    case 'earliest':
      return p.earliest;
    case 'latest':
      return p.end;
    case 'offset':
      return target.offset;
    case 'shift':
      return p.position + target.by;
    case 'time':
      return target.offsets.get(p.partition) ?? p.end;
  }
}

/** The moves of the chosen partitions (all when `opts.partitions` is absent), in partition order. */
export function planMoves(positions: readonly PartitionPosition[], target: OffsetTarget, opts: PlanOptions): PartitionMove[] {
  const chosen = opts.partitions === undefined ? null : new Set(opts.partitions);
  return positions
    .filter((p) => chosen === null || chosen.has(p.partition))
    .sort((a, b) => a.partition - b.partition)
    .map((p) => planMove(p, target, opts.resetState));
}

/** A move changes something in Redis: the position moves, or the state is reset. */
export function moveApplies(m: PartitionMove): boolean {
  return m.kind !== 'none' || m.resetState;
}

export interface RefusalContext {
  topology: string;
  /** Every partition of the topology. */
  partitionCount: number;
  /** The topology's repartition topics (empty when it has none). */
  repartitionTopics: readonly string[];
  resetState: boolean;
}

/**
 * Why the plan must not be applied (one line), or null.
 *
 * A rewind folds records again into states that already hold them (they
 * would count twice) unless the states are reset.
 *
 * A topology with repartition topics (the built-in taba has one: events of
 * an unkeyed or mixed message that belong to another task cross through it)
 * keeps in each partition's state events of every other partition's records.
 * Skipping forward is still consistent there: the envelopes already
 * forwarded are of records up to the old positions, folded where they land,
 * and nothing of the skipped records was forwarded. A reset, though, must
 * cover every partition: resetting some would drop the events other
 * partitions sent them, and keep in the others what the reset ones sent.
 */
export function planRefusal(moves: readonly PartitionMove[], ctx: RefusalContext): string | null {
  if (ctx.repartitionTopics.length > 0 && ctx.resetState) {
    const covered = new Set(moves.map((m) => m.partition));
    const missing = Array.from({ length: ctx.partitionCount }, (_, p) => p).filter((p) => !covered.has(p));
    if (missing.length > 0) {
      return `${ctx.topology} has repartition topics (${ctx.repartitionTopics.join(', ')}): each partition's state holds events of the others' records, so --reset-state must cover all ${ctx.partitionCount} partitions (drop --partitions; ${missing.join(',')} left out)`;
    }
  }
  const rewinds = moves.filter((m) => m.kind === 'rewind');
  if (rewinds.length > 0 && !ctx.resetState) {
    const replayed = rewinds.reduce((s, m) => s + m.replayed, 0);
    const which = rewinds.map((m) => `${m.partition} (${m.from} -> ${m.to})`).join(', ');
    return `rewinding partition${rewinds.length > 1 ? 's' : ''} ${which} of ${ctx.topology} would fold ${replayed} record${replayed === 1 ? '' : 's'} again into states that already hold them (counted twice): add --reset-state to delete ${ctx.repartitionTopics.length > 0 ? "every partition's" : "those partitions'"} states and rebuild them from the new position`;
  }
  return null;
}
