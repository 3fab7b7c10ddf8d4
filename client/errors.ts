// The errors a TabClient raises to its caller.

/** `record()` found the client's buffer full (`maxBufferedEvents`) and `onOverflow` is 'error'. */
export class BufferOverflowError extends Error {
  override readonly name = 'BufferOverflowError';
  constructor(readonly tab: string, readonly maxBufferedEvents: number) {
    super(
      `TabClient buffer is full (${maxBufferedEvents} events waiting for Kafka); event for Tab ${JSON.stringify(tab)} refused`,
    );
  }
}

/**
 * Kafka did not acknowledge some events even after the producer's retries.
 * The events stay buffered (counted in `stats().failed`) and are sent again
 * by the next flush; their ids let the dedup window drop any duplicate.
 */
export class TabSendError extends Error {
  override readonly name = 'TabSendError';
  constructor(readonly events: number, override readonly cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Kafka did not acknowledge ${events} events: ${reason}`, { cause });
  }
}
