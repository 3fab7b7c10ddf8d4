/** The states a slice of records needs could not be fetched: the slice is half done, the task unusable. */
export class StateFetchError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'StateFetchError';
  }
}
