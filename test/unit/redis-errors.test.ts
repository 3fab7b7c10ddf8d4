import { describe, expect, it } from 'vitest';
import {
  FencedError,
  PositionChangedError,
  StateStoreAccessError,
  StateStoreError,
  StateStoreUnavailableError,
  WatermarkRegressionError,
} from '../../state/errors';
import { TabstreamError } from '../../contracts/tabstream-error';
import { mapRedisError, scrubCredentials } from '../../state/redis-errors';

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

  it('maps a refused login to a non-retriable access error, and takes the password out of its cause', () => {
    const refused = Object.assign(replyError('WRONGPASS invalid username-password pair or user is disabled.'), { command: { name: 'hello', args: ['3', 'AUTH', 'w', 'hunter2'] } });
    const mapped = mapRedisError(refused, 'taba', 0);
    expect(mapped).toBeInstanceOf(StateStoreAccessError);
    expect(mapped).toMatchObject({ code: 'STATE_STORE_LOGIN_REFUSED', retriable: false });
    expect(mapped.message).toBe('Redis refused the login (taba:0): WRONGPASS invalid username-password pair or user is disabled.');
    expect(JSON.stringify(mapped.cause)).not.toContain('hunter2');
    const noauth = 'Redis refused the login (taba): NOAUTH: it requires a password and none was given (the redis URL, or redisPasswordFile)';
    expect(mapRedisError(replyError('NOAUTH Authentication required.'), 'taba', null).message).toBe(noauth);
    expect(mapRedisError(replyError('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used'), 'taba', null).message).toBe(noauth);
  });

  it('explains a command failed for want of a connection by what the last attempt met', () => {
    const closed = new Error('Connection is closed.');
    const login = mapRedisError(closed, 'taba', 1, { error: replyError('WRONGPASS invalid username-password pair or user is disabled.'), everConnected: false });
    expect(login).toMatchObject({ code: 'STATE_STORE_LOGIN_REFUSED', retriable: false });
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(mapRedisError(closed, 'taba', 1, { error: reset, everConnected: false }).message).toMatch(/^Redis unavailable \(taba:1\): Redis closed every connection before answering \(read ECONNRESET\): a TLS port does that to a plaintext client; if it is one, use rediss:\/\//);
    // A connection that worked before and was reset is an outage, not a TLS port.
    expect(mapRedisError(closed, 'taba', 1, { error: reset, everConnected: true }).message).toBe('Redis unavailable (taba:1): read ECONNRESET');
    const untrusted = Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    const cert = mapRedisError(closed, 'taba', null, { error: untrusted, everConnected: false });
    expect(cert).toBeInstanceOf(StateStoreUnavailableError);
    expect(cert.message).toMatch(/Redis's TLS certificate was not accepted \(self-signed certificate in certificate chain\): trust its CA with redisTls.ca \(TABSTREAM_REDIS_CA\)/);
    const plaintextPort = Object.assign(new Error('write EPROTO ... wrong version number'), { code: 'EPROTO' });
    expect(mapRedisError(closed, 'taba', null, { error: plaintextPort, everConnected: false }).message).toMatch(/that port is plaintext, use redis:\/\//);
  });

  it('maps an ACL refusal, of a command or inside a script, to a non-retriable permission error', () => {
    const direct = mapRedisError(replyError("NOPERM this user has no permissions to run the 'hset' command"), 'taba', 2);
    expect(direct).toMatchObject({ code: 'STATE_STORE_PERMISSION_DENIED', retriable: false });
    expect(direct.message).toBe("Redis refused this user the command (taba:2): NOPERM this user has no permissions to run the 'hset' command");
    const inScript = mapRedisError(replyError(`ERR The user executing the script can't run this command or subcommand script: ${'a'.repeat(40)}, on @user_script:1.`), 'taba', 2);
    expect(inScript).toMatchObject({ code: 'STATE_STORE_PERMISSION_DENIED' });
    expect(inScript.message).toBe("Redis refused this user the command (taba:2): ERR The user executing the script can't run this command or subcommand");
  });

  it('scrubs the password from AUTH and HELLO commands an error carries', () => {
    expect(scrubCredentials({ command: { name: 'auth', args: ['u', 'pw'] } })).toEqual({ command: { name: 'auth', args: ['u', '***'] } });
    expect(scrubCredentials({ command: { name: 'hello', args: [3, 'AUTH', 'u', 'pw'] } })).toEqual({ command: { name: 'hello', args: ['3', 'AUTH', 'u', '***'] } });
    expect(scrubCredentials({ command: { name: 'get', args: ['k'] } })).toEqual({ command: { name: 'get', args: ['k'] } });
  });
});
