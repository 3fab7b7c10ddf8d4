// Every failure the local stack reports to a user: one clear line and a code
// that scripts and tests can match on, never a stack trace.
export type StackErrorCode =
  | 'PORT_IN_USE'
  | 'PORTS_CHANGED'
  | 'PORT_OUT_OF_RANGE'
  | 'SHAPE_CHANGED'
  | 'JAVA_MISSING'
  | 'JAVA_TOO_OLD'
  | 'MAVEN_MISSING'
  | 'MAVEN_FAILED'
  | 'REDIS_MISSING'
  | 'REDIS_TOO_OLD'
  | 'SERVICE_EXITED'
  | 'START_TIMEOUT'
  | 'STALE_BROKER'
  | 'REDIS_CLUSTER_BROKEN'
  | 'STOP_FAILED'
  | 'LOCK_TIMEOUT'
  | 'UNKNOWN_SERVICE'
  | 'SECURE_SETUP_FAILED'
  | 'OPENSSL_MISSING'
  | 'OPENSSL_FAILED'
  | 'REDIS_TLS_SHAPE';

export class StackError extends Error {
  readonly code: StackErrorCode;

  constructor(code: StackErrorCode, message: string) {
    super(message);
    this.name = 'StackError';
    this.code = code;
  }
}

export function isStackError(err: unknown): err is StackError {
  return err instanceof StackError;
}
