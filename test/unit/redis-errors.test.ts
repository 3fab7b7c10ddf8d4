import { describe, expect, it } from 'vitest';
import {
  FencedError,
  PositionChangedError,
  StateStoreError,
  StateStoreUnavailableError,
  TabstreamError,
  WatermarkRegressionError,
} from '../../state/errors';
import { mapRedisError } from '../../state/redis-errors';

/** What ioredis rejects with when Redis answers an error reply. */
function replyError(message: string): Error {
  const err = new Error(message);
  err.name = 'ReplyError';
  return err;
}

describe('mapRedisError', () => {
  it('maps the fencing refusal to a non-retriable FencedError with both epochs', () => {
    const err = mapRedisError(replyError('TSFENCED 5 3'), 'taba', 2);
    expect(err).toBeInstanceOf(FencedError);
    expect(err).toBeInstanceOf(TabstreamError);
    expect(err).toMatchObject({ code: 'FENCED', retriable: false, topology: 'taba', partition: 2, storedEpoch: 5, attemptedEpoch: 3 });
  });

  it('maps the regression refusal, also when Redis prefixes the script error', () => {
    const err = mapRedisError(replyError('ERR user_script:1: TSREGRESSION 10 -1 script: abc'), 'taba', 0);
    expect(err).toBeInstanceOf(WatermarkRegressionError);
    expect(err).toMatchObject({ code: 'WATERMARK_REGRESSION', retriable: false, storedWatermark: 10, attemptedWatermark: -1 });
  });

  it("maps an operator's move refused because a write landed since the plan (TSCHANGED)", () => {
    const err = mapRedisError(replyError('ERR user_script:1: TSCHANGED 41 -1 script: abc'), 'taba', 3);
    expect(err).toBeInstanceOf(PositionChangedError);
    expect(err).toMatchObject({ code: 'POSITION_CHANGED', retriable: false, partition: 3, storedWatermark: 41, expectedWatermark: -1 });
  });

  it('treats lost connections and transient replies as retriable', () => {
    for (const err of [new Error('Connection is closed.'), replyError('LOADING Redis is loading'), replyError('READONLY You can\'t write against a read only replica.')]) {
      const mapped = mapRedisError(err, 'taba', 1);
      expect(mapped).toBeInstanceOf(StateStoreUnavailableError);
      expect(mapped.retriable).toBe(true);
      expect(mapped.cause).toBe(err);
    }
  });

  it('treats other replies as permanent', () => {
    const mapped = mapRedisError(replyError('WRONGTYPE Operation against a key holding the wrong kind of value'), 'taba', null);
    expect(mapped).toBeInstanceOf(StateStoreError);
    expect(mapped.retriable).toBe(false);
    expect(mapped.message).toContain('WRONGTYPE');
  });
});
