import { TabstreamError } from '../../contracts/tabstream-error';

/** A ZooKeeper operation failed; `zkCode` is the server's (or client's) error code. */
export class ZkError extends TabstreamError {
  readonly path: string | null;
  readonly zkCode: number | null;

  constructor(message: string, opts: { code: string; retriable: boolean; path?: string | null; zkCode?: number | null; cause?: unknown }) {
    super(message, opts);
    this.path = opts.path ?? null;
    this.zkCode = opts.zkCode ?? null;
  }
}

export class NoNodeError extends ZkError {
  constructor(path: string, cause?: unknown) {
    super(`znode ${path} does not exist`, { code: 'ZK_NO_NODE', retriable: false, path, zkCode: -101, cause });
  }
}

export class NodeExistsError extends ZkError {
  constructor(path: string, cause?: unknown) {
    super(`znode ${path} already exists`, { code: 'ZK_NODE_EXISTS', retriable: false, path, zkCode: -110, cause });
  }
}

/** A compare-and-set lost: someone changed the znode since it was read. Read again, then retry. */
export class BadVersionError extends ZkError {
  constructor(path: string, cause?: unknown) {
    super(`znode ${path} changed since it was read`, { code: 'ZK_BAD_VERSION', retriable: false, path, zkCode: -103, cause });
  }
}

export class NotEmptyError extends ZkError {
  constructor(path: string, cause?: unknown) {
    super(`znode ${path} has children`, { code: 'ZK_NOT_EMPTY', retriable: false, path, zkCode: -111, cause });
  }
}

/**
 * The connection dropped (or the call timed out) with the session still
 * alive: the client reconnects on its own, so the call may be retried, but a
 * non-idempotent one (a create) may already have been applied.
 */
export class ZkConnectionLossError extends ZkError {
  constructor(message: string, opts: { path?: string | null; zkCode?: number | null; cause?: unknown } = {}) {
    super(message, { code: 'ZK_CONNECTION_LOSS', retriable: true, ...opts });
  }
}

/**
 * The session is gone, and with it its ephemeral znodes and watches. Not
 * retriable on this client: connect a new ZkClient and re-register.
 */
export class ZkSessionExpiredError extends ZkError {
  constructor(path: string | null, cause?: unknown) {
    super('ZooKeeper session expired', { code: 'ZK_SESSION_EXPIRED', retriable: false, path, zkCode: -112, cause });
  }
}

/** The client was closed; calls on it fail. */
export class ZkClosedError extends ZkError {
  constructor(path: string | null = null) {
    super('ZooKeeper client is closed', { code: 'ZK_CLOSED', retriable: false, path });
  }
}

/**
 * ZooKeeper refused an operation the znode's ACL does not allow this
 * session's identity (NoAuth): a client without `zkAuth`, or with other
 * credentials than those that secured the znode. One line, no stack needed.
 */
export class ZkNoAuthError extends ZkError {
  constructor(path: string, opts: { access?: ZkAccess; authenticated?: boolean; cause?: unknown } = {}) {
    const hint = opts.authenticated ? 'check zkAuth: its credentials are not those that secured it' : 'set zkAuth';
    super(`ZooKeeper refused: not authorized to ${opts.access ?? 'change'} ${path} (NoAuth); ${hint}`, {
      code: 'ZK_NO_AUTH',
      retriable: false,
      path,
      zkCode: NO_AUTH,
      cause: opts.cause,
    });
  }
}

/**
 * The server refused the session's credentials (AuthFailed) and closed it:
 * for `digest` only a server that turned the scheme off does (wrong digest
 * credentials are accepted, and refused as NoAuth on use). Not retriable.
 */
export class ZkAuthFailedError extends ZkError {
  constructor(path: string | null, scheme = 'digest', cause?: unknown) {
    super(
      `ZooKeeper refused to authenticate with scheme ${scheme} (AuthFailed) and closed the session: does the server accept ${scheme}? (zookeeper.DigestAuthenticationProvider.enabled)`,
      { code: 'ZK_AUTH_FAILED', retriable: false, path, zkCode: AUTH_FAILED, cause },
    );
  }
}

/** Which kind of permission an operation needs, for NoAuth's message. */
export type ZkAccess = 'read' | 'change';

const CONNECTION_LOSS = -4;
const OPERATION_TIMEOUT = -7;
const NO_NODE = -101;
const BAD_VERSION = -103;
const NODE_EXISTS = -110;
const NOT_EMPTY = -111;
const SESSION_EXPIRED = -112;
const NO_AUTH = -102;
const INVALID_ACL = -114;
const AUTH_FAILED = -115;

/**
 * Maps a node-zookeeper-client Exception (it has a numeric `code`) to a
 * typed error. `context` words a NoAuth: what the operation needed, and
 * whether the client presented credentials.
 */
export function mapZkError(err: unknown, path: string | null, context: { access?: ZkAccess; authenticated?: boolean; scheme?: string } = {}): Error {
  if (err instanceof ZkError) return err;
  const zkCode = typeof (err as { code?: unknown })?.code === 'number' ? (err as { code: number }).code : null;
  const where = path ?? '(transaction)';
  switch (zkCode) {
    case NO_NODE:
      return new NoNodeError(where, err);
    case NODE_EXISTS:
      return new NodeExistsError(where, err);
    case BAD_VERSION:
      return new BadVersionError(where, err);
    case NOT_EMPTY:
      return new NotEmptyError(where, err);
    case SESSION_EXPIRED:
      return new ZkSessionExpiredError(path, err);
    case NO_AUTH:
      return new ZkNoAuthError(where, { access: context.access, authenticated: context.authenticated, cause: err });
    case AUTH_FAILED:
      return new ZkAuthFailedError(path, context.scheme, err);
    case INVALID_ACL:
      return new ZkError(`ZooKeeper refused the ACL given for ${where} (InvalidACL)`, { code: 'ZK_INVALID_ACL', retriable: false, path, zkCode, cause: err });
    case CONNECTION_LOSS:
    case OPERATION_TIMEOUT:
      return new ZkConnectionLossError(`ZooKeeper connection lost during an operation on ${where}`, { path, zkCode, cause: err });
    default: {
      const message = err instanceof Error ? err.message : String(err);
      return new ZkError(`ZooKeeper error on ${where}: ${message}`, { code: 'ZK_ERROR', retriable: false, path, zkCode, cause: err });
    }
  }
}
