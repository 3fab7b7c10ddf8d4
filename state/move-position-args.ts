/** One partition's move, as `topology offsets --execute` applies it (move-position.lua). */
export interface PositionMove {
  topology: string;
  partition: number;
  /** The watermark the plan was computed from: the move is refused if Redis holds another. */
  expectedWatermark: number;
  /** The new watermark: the target offset - 1 (the next record read is the target). */
  watermark: number;
  movedAt: number;
  /** Delete the partition's states, Tab types, dedup window and source positions. */
  resetState: boolean;
  /** Source watermarks to store (`src:<name>`), after a reset: where each repartition input starts again. */
  sources: Record<string, number>;
}

/** ARGV of move-position.lua, in the order its header documents. */
export function movePositionArgs(move: PositionMove): string[] {
  const args = [
    String(move.expectedWatermark),
    String(move.watermark),
    String(move.movedAt),
    move.resetState ? '1' : '0',
    String(Object.keys(move.sources).length),
  ];
  for (const [name, watermark] of Object.entries(move.sources)) args.push(name, String(watermark));
  return args;
}
