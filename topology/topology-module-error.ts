/** A topology module that could not be loaded or built; the message is one line naming the module. */
export class TopologyModuleError extends Error {
  readonly code = 'TOPOLOGY_MODULE';
  constructor(
    readonly ref: string,
    what: string,
    cause?: unknown,
  ) {
    super(`topology module ${ref} ${what}${cause === undefined ? '' : `: ${firstLine(cause)}`}`);
    this.name = 'TopologyModuleError';
  }
}

/** An error's first line: a syntax error's code frame or a stack does not belong in a one-line report. */
function firstLine(cause: unknown): string {
  const text = cause instanceof Error ? cause.message : String(cause);
  const line = text.split('\n').find((l) => l.trim() !== '') ?? (cause instanceof Error ? cause.name : 'unknown error');
  return line.length > 300 ? `${line.slice(0, 300)}...` : line.trim();
}
