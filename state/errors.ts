import { TabstreamError } from '../contracts/tabstream-error';

// The state store's typed errors (the root, TabstreamError, is shared: contracts/tabstream-error.ts).
/**
 * A write carried a fencing token older than the one Redis holds, or a claim
 * a generation older than the one Redis holds: another worker owns the
 * partition now. Never retriable: the caller must
 * stop working on the partition.
 */
export class FencedError extends TabstreamError {
  readonly topology: string;
  readonly partition: number;
  readonly storedEpoch: number;
  readonly attemptedEpoch: number;

  constructor(topology: string, partition: number, storedEpoch: number, attemptedEpoch: number) {
    super(
      `partition ${topology}:${partition} is owned by a newer claim (${storedEpoch}); this one (${attemptedEpoch}) is refused`,
      { code: 'FENCED', retriable: false },
    );
    this.topology = topology;
    this.partition = partition;
    this.storedEpoch = storedEpoch;
    this.attemptedEpoch = attemptedEpoch;
  }
}

/**
 * Redis no longer holds what this writer's claim or previous checkpoint left
 * (restarted from an older AOF, failed over to a lagging replica): the
 * writer's in-memory state is ahead of Redis by writes Redis lost. Not
 * retriable as it is: the partition must be taken up again from what Redis
 * holds (its watermark), which replays the lost records from Kafka.
 */
export class StateLostError extends TabstreamError {
  readonly topology: string;
  readonly partition: number;
  readonly stored: number;
  readonly expected: number;

  constructor(topology: string, partition: number, stored: number, expected: number) {
    super(
      `partition ${topology}:${partition}: Redis lost acknowledged writes (holds ${stored} where this owner left ${expected}); taking it up again from Redis's watermark`,
      { code: 'STATE_LOST', retriable: false },
    );
    this.topology = topology;
    this.partition = partition;
    this.stored = stored;
    this.expected = expected;
  }
}

/**
 * A checkpoint's watermark is below the stored one within the same epoch.
 * The owner never folds backwards, so this is a bug guard, not a race.
 */
export class WatermarkRegressionError extends TabstreamError {
  readonly topology: string;
  readonly partition: number;
  readonly storedWatermark: number;
  readonly attemptedWatermark: number;

  constructor(topology: string, partition: number, storedWatermark: number, attemptedWatermark: number) {
    super(
      `partition ${topology}:${partition}: watermark ${attemptedWatermark} is below the stored ${storedWatermark} in the same epoch`,
      { code: 'WATERMARK_REGRESSION', retriable: false },
    );
    this.topology = topology;
    this.partition = partition;
    this.storedWatermark = storedWatermark;
    this.attemptedWatermark = attemptedWatermark;
  }
}

/**
 * An operator's move of a partition's position (`topology offsets
 * --execute`) found another watermark in Redis than the plan was computed
 * from: a write landed in between. Nothing was changed; plan again.
 */
export class PositionChangedError extends TabstreamError {
  readonly topology: string;
  readonly partition: number;
  readonly storedWatermark: number;
  readonly expectedWatermark: number;

  constructor(topology: string, partition: number, storedWatermark: number, expectedWatermark: number) {
    super(
      `partition ${topology}:${partition} moved since the plan was read (watermark ${storedWatermark}, the plan read ${expectedWatermark}); nothing changed there`,
      { code: 'POSITION_CHANGED', retriable: false },
    );
    this.topology = topology;
    this.partition = partition;
    this.storedWatermark = storedWatermark;
    this.expectedWatermark = expectedWatermark;
  }
}

/** Redis could not be reached, or answered that it is busy for now (LOADING, failover...). */
export class StateStoreUnavailableError extends TabstreamError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'STATE_STORE_UNAVAILABLE', retriable: true, cause });
  }
}

/** Redis refused a command for a reason retrying will not fix. */
export class StateStoreError extends TabstreamError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'STATE_STORE_ERROR', retriable: false, cause });
  }
}

/**
 * Redis refused this client: the login (`WRONGPASS`: a wrong user or
 * password; `NOAUTH`: Redis wants one and none was given), code
 * `STATE_STORE_LOGIN_REFUSED`; or a command or key its ACL user may not use
 * (`NOPERM`, or a script's command refused), code
 * `STATE_STORE_PERMISSION_DENIED`. Retrying will not help: the settings must change.
 */
export class StateStoreAccessError extends TabstreamError {
  constructor(code: 'STATE_STORE_LOGIN_REFUSED' | 'STATE_STORE_PERMISSION_DENIED', message: string, cause?: unknown) {
    super(message, { code, retriable: false, cause });
  }
}
