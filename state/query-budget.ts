// The time and size budget of one query: what it may read and match before it
// stops with a clear error, and the points where its CPU-bound loops give the
// event loop back, so that other requests (and a server's shutdown) go on
// while it runs.

export interface QueryLimits {
  /** The query stops this long after it started (ms). */
  deadlineMs: number;
  /** Most (Tab, client) states read from Redis (their bytes decoded and projected). */
  maxStates: number;
  /** Most names (Tabs of the types hashes, client fields of the states hashes) read and matched. */
  maxNames: number;
  /** Most Tabs in one answer of aggregate, projection or super. */
  maxTabs: number;
  /** Largest answer, in bytes of JSON. */
  maxResponseBytes: number;
}

/** The HTTP API's budget: `serve` answers within 2 s whatever was asked. */
export const HTTP_QUERY_LIMITS: QueryLimits = {
  deadlineMs: 1900,
  maxStates: 1_000_000,
  maxNames: 2_000_000,
  maxTabs: 20_000,
  maxResponseBytes: 16 * 1024 * 1024,
};

/** The CLI's: the same sizes, with time for an operator's big one-off query. */
export const CLI_QUERY_LIMITS: QueryLimits = { ...HTTP_QUERY_LIMITS, deadlineMs: 60_000 };

export type BudgetExceeded = 'deadline' | 'states' | 'names' | 'tabs' | 'response' | 'aborted';

/**
 * A query that went past its budget (or was aborted). `status` is the HTTP
 * answer: 503 for time (the server is loaded, or the query reads too much to
 * answer in time: narrow it), 413 for size, 503 for an abort (the server
 * is stopping).
 */
export class QueryBudgetError extends Error {
  readonly status: number;
  constructor(
    readonly exceeded: BudgetExceeded,
    message: string,
  ) {
    super(message);
    this.status = exceeded === 'deadline' || exceeded === 'aborted' ? 503 : 413;
  }
}

/** Yield to the event loop after this much CPU time in one go (ms). */
const SLICE_MS = 10;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** One query's budget: counts what it read, and stops it past a limit, its deadline, or an abort. */
export class QueryBudget {
  readonly limits: QueryLimits;
  private readonly deadline: number;
  private sliceStart = performance.now();
  states = 0;
  names = 0;

  constructor(
    limits: Partial<QueryLimits> = {},
    private readonly signal?: AbortSignal,
  ) {
    this.limits = { ...CLI_QUERY_LIMITS, ...limits };
    this.deadline = performance.now() + this.limits.deadlineMs;
  }

  /** No budget: for programs that read what they know to be small. */
  static unlimited(): QueryBudget {
    return new QueryBudget({ deadlineMs: 2 ** 31, maxStates: Infinity, maxNames: Infinity, maxTabs: Infinity, maxResponseBytes: Infinity });
  }

  /**
   * Call between units of CPU-bound work: throws past the deadline or on an
   * abort, and every few ms gives the event loop a turn.
   */
  async tick(): Promise<void> {
    const now = performance.now();
    if (now - this.sliceStart < SLICE_MS) return this.check(now);
    await nextTurn();
    this.sliceStart = performance.now();
    this.check(this.sliceStart);
  }

  /** Throws when the deadline passed or the query was aborted. */
  check(now = performance.now()): void {
    if (this.signal?.aborted) throw new QueryBudgetError('aborted', 'query aborted: the server is stopping');
    if (now > this.deadline) {
      throw new QueryBudgetError(
        'deadline',
        `query stopped at its deadline (${this.limits.deadlineMs} ms) after ${this.names} names and ${this.states} states read: narrow the pattern`,
      );
    }
  }

  /** Counts `n` names read (Tabs or client fields); throws past `maxNames`. */
  countNames(n: number): void {
    this.names += n;
    if (this.names > this.limits.maxNames) throw new QueryBudgetError('names', `query reads more than ${this.limits.maxNames} names: narrow the pattern`);
  }

  /** Counts one state read; throws past `maxStates`. */
  countState(): void {
    this.states += 1;
    this.checkStates(0);
  }

  /** Throws when reading `more` states (not counted here) would take the query past `maxStates`: before it reads them. */
  checkStates(more: number): void {
    if (this.states + more > this.limits.maxStates) throw new QueryBudgetError('states', `query reads more than ${this.limits.maxStates} states: narrow the Tab or client pattern`);
  }

  /** Throws when an answer would hold more than `maxTabs` Tabs. */
  checkTabs(n: number): void {
    if (n > this.limits.maxTabs) throw new QueryBudgetError('tabs', `query matches more than ${this.limits.maxTabs} Tabs: narrow the Tab pattern (or list them with /api/tabs, paged)`);
  }

  /** Throws when an answer of `bytes` is over `maxResponseBytes`. */
  checkResponse(bytes: number): void {
    if (bytes > this.limits.maxResponseBytes) {
      throw new QueryBudgetError('response', `answer of ${bytes} bytes is over the limit of ${this.limits.maxResponseBytes}: narrow the pattern`);
    }
  }
}
