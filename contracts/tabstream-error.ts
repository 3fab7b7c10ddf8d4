/**
 * Tabstream's typed errors, in the style of KafkaJS: every error carries a
 * stable `code` and says whether retrying the same call may succeed
 * (`retriable`). Callers branch on the class or the code, never on messages.
 */
export class TabstreamError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(message: string, opts: { code: string; retriable: boolean; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = opts.code;
    this.retriable = opts.retriable;
  }
}
