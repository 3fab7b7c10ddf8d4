import { EventEmitter } from 'node:events';
import zookeeper from 'node-zookeeper-client';
import type { ACL, Client, Stat } from 'node-zookeeper-client';
import {
  BadVersionError,
  NoNodeError,
  NodeExistsError,
  ZkAuthFailedError,
  ZkClosedError,
  ZkConnectionLossError,
  ZkError,
  ZkNoAuthError,
  ZkSessionExpiredError,
  mapZkError,
  type ZkAccess,
} from './zk-errors';
import type { ZkAuth } from './zk-auth';
import type { TabstreamConfig } from '../config';
import { DEFAULT_ZK_ROOT, absolutePath, ancestors, normalizeRoot, relativePath } from './zk-paths';
import { Backoff, isRetriable, type RetryPolicy } from '../retry-policy';
import type { ZkClientEvents, ZkClientState } from './zk-client-events';
import { ZkLifecycle } from './zk-lifecycle';

export type { ZkClientState } from './zk-client-events';

export type ZkCreateMode = 'persistent' | 'persistent_sequential' | 'ephemeral' | 'ephemeral_sequential';
export type ZkData = Buffer | string | null | undefined;

export interface ZkNode {
  /** null when the znode holds no data. */
  data: Buffer | null;
  version: number;
}

/** A one-shot watch notification; `path` is relative to the root. */
export interface ZkWatchEvent {
  type: 'created' | 'deleted' | 'changed' | 'children';
  path: string;
}

/** One operation of an atomic `transaction`. */
export type ZkOp =
  | { op: 'create'; path: string; data?: ZkData; mode?: ZkCreateMode }
  | { op: 'set'; path: string; data: ZkData; version?: number }
  | { op: 'check'; path: string; version: number }
  | { op: 'remove'; path: string; version?: number };

export interface ZkClientOptions {
  /** Requested session timeout (the server bounds it); default 30 s. */
  sessionTimeoutMs?: number;
  /** Every path is relative to this znode, created at connect when missing; default `/tabstream`. */
  root?: string;
  /** connect() gives up (ZkConnectionLossError) after this long; default 3 s. */
  connectTimeoutMs?: number;
  /** A call still unanswered after this long fails with ZkConnectionLossError; default the session timeout, at most 3 s. */
  operationTimeoutMs?: number;
  /**
   * Credentials (`zkAuth`): presented with every connect of the session,
   * before any request, and every znode this client creates gets
   * `securedAcl(auth)`. Without, znodes are open to all, as ZooKeeper's default.
   */
  auth?: ZkAuth;
  /** Called with the client before it connects: what it subscribes there hears the first `connected` too. */
  listen?: (client: ZkClient) => void;
}

/** One entry of a znode's ACL: `perms` is ZooKeeper's bit set (read 1, write 2, create 4, delete 8, admin 16). */
export interface ZkAclEntry {
  scheme: string;
  id: string;
  perms: number;
}

export const ZK_PERMS = { read: 1, write: 2, create: 4, delete: 8, admin: 16, all: 31 } as const;

/** ZooKeeper's default: anyone may do anything (`world:anyone`, all rights). */
export const OPEN_ACL: readonly ZkAclEntry[] = [{ scheme: 'world', id: 'anyone', perms: ZK_PERMS.all }];

/**
 * The ACL of a znode Tabstream creates with `zkAuth`: every right for its
 * identity, read for anyone, so that only Tabstream changes specs,
 * assignments, offsets, workers and leader znodes; anyone may read them
 * (`status`, tooling) without credentials.
 */
export function securedAcl(auth: ZkAuth): ZkAclEntry[] {
  return [
    { scheme: auth.owner.scheme, id: auth.owner.id, perms: ZK_PERMS.all },
    { scheme: 'world', id: 'anyone', perms: ZK_PERMS.read },
  ];
}

function toLibraryAcl(entries: readonly ZkAclEntry[]): ACL[] {
  return entries.map((e) => new zookeeper.ACL(e.perms, new zookeeper.Id(e.scheme, e.id)));
}

/** What identifies a session to the server: enough to end it from another connection (`endSession`). */
export interface ZkSessionCredentials {
  id: Buffer;
  password: Buffer;
}

const CREATE_MODES: Record<ZkCreateMode, number> = {
  persistent: zookeeper.CreateMode.PERSISTENT,
  persistent_sequential: zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
  ephemeral: zookeeper.CreateMode.EPHEMERAL,
  ephemeral_sequential: zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
};

const WATCH_EVENT_TYPES: Record<number, ZkWatchEvent['type']> = {
  [zookeeper.Event.NODE_CREATED]: 'created',
  [zookeeper.Event.NODE_DELETED]: 'deleted',
  [zookeeper.Event.NODE_DATA_CHANGED]: 'changed',
  [zookeeper.Event.NODE_CHILDREN_CHANGED]: 'children',
};

/** How long a re-arming watch waits before trying again after a lost connection: from 250 ms, doubling up to 2 s. */
const REARM_RETRY: RetryPolicy = { initialMs: 250, maxMs: 2_000 };
/** Default bound of connect() and of every call: a CLI command facing a dead ZooKeeper fails within 5 s, start-up included. */
const DEFAULT_TIMEOUT_MS = 3_000;

/**
 * How long one connect attempt may wait for the server's answer before it is
 * dropped and the next one made: a third of the session timeout (as the Java
 * client gives a handshake), within 0.5..3 s so that a long session does not
 * keep a client on a dead attempt long after a server answers again.
 */
function connectAttemptBound(sessionTimeoutMs: number): number {
  return Math.min(3_000, Math.max(500, sessionTimeoutMs / 3));
}

/** node-zookeeper-client's ConnectionManager states (lib/ConnectionManager.js). */
const CM_CONNECTING = 1;
const CM_CONNECTED = 2;

/** The parts of node-zookeeper-client's ConnectionManager the liveness checks use. */
interface ConnectionManagerInternals {
  state: number;
  sessionTimeout: number;
  socket?: { destroy(): void };
  connect: () => void;
  onSocketData: (buffer: Buffer) => void;
  onSocketConnected: () => void;
  connectTimeoutHandler?: NodeJS.Timeout | null;
  /** Bytes of a frame not yet complete; the library never clears it when a socket goes. */
  pendingBuffer: Buffer | null;
  packetQueue: { queue: QueuedPacket[] };
  pendingQueue: QueuedPacket[];
}

/** A request the library holds: queued to be sent, or sent and awaiting its answer. */
interface QueuedPacket {
  request?: { header?: { type: number } | null };
  callback?: (err: unknown) => void;
}

/** The library's opcode of an auth packet (jute OP_CODES.AUTH). */
const OP_AUTH = 100;

/** node-zookeeper-client's Exception for `code`, as its own callbacks expect it (mapped again by call()). */
function libraryException(code: number): Error {
  return (zookeeper.Exception as unknown as { create(code: number): Error }).create(code);
}

function toBuffer(data: ZkData): Buffer | undefined {
  if (data === null || data === undefined) return undefined;
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** Turns a node-zookeeper-client callback call into a promise. */
function settle<T>(start: (done: (err: unknown, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start((err, value) => (err ? reject(err) : resolve(value as T)));
  });
}

/**
 * A small promise API over node-zookeeper-client, for one ZooKeeper session.
 * Paths are relative to the root. Errors are typed (zk-errors.ts). When the
 * session expires the client emits `session_expired` and every later call fails with
 * ZkSessionExpiredError: its ephemerals and watches are gone, so the owner
 * connects a new ZkClient and registers again.
 *
 * node-zookeeper-client alone never gives up on a session and never notices
 * a silent server: it reconnects with the old session for as long as the
 * servers stay away, learns of the expiry only from a server that answers
 * again, and sits on a connection whose server stopped answering (SIGSTOP,
 * a host or network gone without a reset) or on a connect the server
 * accepted but never answers. So this client watches the line itself, as the
 * Java client and Curator do:
 * - nothing heard for 2/3 of the session timeout while connected (pings go
 *   out every third): the connection is dropped and the library reconnects;
 * - a connect attempt unanswered for a third of the timeout (at most 3 s) is dropped;
 * - disconnected for the whole session timeout since the server was last
 *   heard: the session is taken as expired (the server has expired it, or
 *   will once it is back), the library is stopped so it cannot revive it,
 *   every queued call fails with ZkSessionExpiredError, and `session_expired` is
 *   emitted. `endSession` can then end it for good from a new connection.
 *
 * With `auth`, the credentials go out first on every connect of the
 * session (the library re-sends them; this client puts them ahead of calls
 * queued while disconnected, which the server would otherwise run
 * unauthenticated), and every znode it creates gets `securedAcl(auth)`.
 * A server that refuses the credentials (AuthFailed) closes the session:
 * `auth_failed` is emitted, and every call fails with ZkAuthFailedError.
 *
 * Events, typed (zk-client-events.ts; their mapping: zk-lifecycle.ts):
 * `connected` (`again`: the same session after a lost connection),
 * `disconnected` (the session may still be alive), `reconnecting`,
 * `connect_timeout`, `server_silent`, `stream_garbled` (the library could
 * not read an answer: the line is dropped and made again), `session_expired`
 * (`by` the server or this client), `auth_failed`, `closed`.
 */
export class ZkClient extends EventEmitter<ZkClientEvents> {
  readonly root: string;
  /** The ACL every znode this client creates gets. */
  readonly acl: readonly ZkAclEntry[];
  private readonly client: Client;
  private readonly libraryAcl: ACL[];
  private readonly auth: ZkAuth | undefined;
  private readonly operationTimeoutMs: number;
  /** The connection and session as a state machine: every event comes out of it. */
  private readonly lifecycle: ZkLifecycle;
  /** When the server was last heard from (any bytes, pings included). */
  private lastHeard = Date.now();
  /** When the current connect attempt began, or null while none is in flight. */
  private attemptStartedAt: number | null = null;
  private readonly watchdog: NodeJS.Timeout;

  private constructor(client: Client, root: string, operationTimeoutMs: number, requestedSessionTimeoutMs: number, auth: ZkAuth | undefined) {
    super();
    this.client = client;
    this.root = root;
    this.auth = auth;
    this.acl = auth ? securedAcl(auth) : OPEN_ACL;
    this.libraryAcl = toLibraryAcl(this.acl);
    this.operationTimeoutMs = operationTimeoutMs;
    // Node's typings cannot match a generic name to its arguments: the emitter is typed at its callers (ZkNotify).
    this.lifecycle = new ZkLifecycle((name, ...args) => (this.emit as (n: string, ...a: unknown[]) => boolean)(name, ...args), () => this.sessionId);
    client.on('connected', () => {
      this.lastHeard = Date.now();
      this.lifecycle.connected();
    });
    client.on('disconnected', () => this.lifecycle.disconnected());
    client.on('expired', () => {
      clearInterval(this.watchdog);
      this.lifecycle.expired('server');
    });
    client.on('authenticationFailed', () => {
      // The library stops for good; fail what it still queues (calls in flight fail as the server closes).
      haltReconnects(this.client);
      clearInterval(this.watchdog);
      this.lifecycle.authFailed();
      this.failQueued(-115);
    });
    this.instrument();
    const tick = Math.max(50, Math.min(500, Math.floor(requestedSessionTimeoutMs / 10)));
    // Judged in the check phase, after pending I/O: a process that was itself stalled (a long
    // pause, SIGSTOP) reads what the server sent meanwhile before taking it for silence.
    this.watchdog = setInterval(() => setImmediate(() => this.checkLiveness()), tick);
    this.watchdog.unref();
  }

  static async connect(connectionString: string, opts: ZkClientOptions = {}): Promise<ZkClient> {
    const sessionTimeoutMs = opts.sessionTimeoutMs ?? 30_000;
    const raw = zookeeper.createClient(connectionString, { sessionTimeout: sessionTimeoutMs, spinDelay: 250, retries: 0 });
    const operationTimeoutMs = opts.operationTimeoutMs ?? Math.min(sessionTimeoutMs, DEFAULT_TIMEOUT_MS);
    const zk = new ZkClient(raw, normalizeRoot(opts.root ?? DEFAULT_ZK_ROOT), operationTimeoutMs, sessionTimeoutMs, opts.auth);
    opts.listen?.(zk);
    const connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    // Kept by the library and sent at every connect, before anything else (instrument()).
    if (opts.auth) raw.addAuthInfo(opts.auth.scheme, opts.auth.authData());
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new ZkConnectionLossError(`could not connect to ZooKeeper at ${connectionString} within ${connectTimeoutMs} ms`));
        }, connectTimeoutMs);
        raw.once('connected', () => {
          clearTimeout(timer);
          resolve();
        });
        raw.connect();
      });
      const rootPath = absolutePath(zk.root, '');
      for (const path of [...ancestors(rootPath), rootPath]) await zk.ensurePath(path);
      return zk;
    } catch (err) {
      await zk.close();
      throw err;
    }
  }

  /** A client of Tabstream's ensemble as `config` says: its connection string, root and credentials (`zkAuth`). */
  static forConfig(config: Pick<TabstreamConfig, 'zk' | 'zkRoot' | 'zkAuth'>, opts: Omit<ZkClientOptions, 'root' | 'auth'> = {}): Promise<ZkClient> {
    return ZkClient.connect(config.zk, { ...opts, root: config.zkRoot, auth: config.zkAuth });
  }

  /**
   * Ends a session this process gave up on (its client closed or expired),
   * from a new connection: when the server still holds it (a restarted
   * server revives the sessions of its snapshot for one timeout) it is
   * closed at once, and its ephemeral znodes with it, instead of lingering
   * until the server expires it. Resolves `closed`, or `expired` when the
   * server had already ended it; fails with ZkConnectionLossError when no
   * server answered within `timeoutMs`.
   */
  static async endSession(connectionString: string, session: ZkSessionCredentials, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<'closed' | 'expired'> {
    const raw = zookeeper.createClient(connectionString, {
      sessionTimeout: DEFAULT_TIMEOUT_MS,
      spinDelay: 250,
      retries: 0,
      sessionId: session.id,
      sessionPassword: session.password,
    } as Parameters<typeof zookeeper.createClient>[1]);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<'closed' | 'expired'>((resolve, reject) => {
        timer = setTimeout(() => reject(new ZkConnectionLossError(`could not reach ZooKeeper at ${connectionString} within ${timeoutMs} ms`)), timeoutMs);
        raw.once('expired', () => resolve('expired'));
        raw.once('connected', () => {
          // Attached to the old session: closing it ends it on the server, ephemerals and all.
          raw.once('disconnected', () => resolve('closed'));
          raw.close();
        });
        raw.connect();
      });
    } finally {
      clearTimeout(timer);
      haltReconnects(raw);
    }
  }

  get state(): ZkClientState {
    return this.lifecycle.state;
  }

  /** Why the session ended: a server said so, or this client concluded it (null while it lives). */
  get expiredBy(): 'server' | 'client' | null {
    return this.lifecycle.expiredBy;
  }

  /** The session id, 16 hex digits (as ZooKeeper's logs print it). */
  get sessionId(): string {
    return this.client.getSessionId().toString('hex');
  }

  /** The session timeout the server granted. */
  get sessionTimeoutMs(): number {
    return this.client.getSessionTimeout();
  }

  /** The session's id and password (see `endSession`). */
  get session(): ZkSessionCredentials {
    return { id: this.client.getSessionId(), password: this.client.getSessionPassword() };
  }

  /** The session id (16 hex digits) that owns an ephemeral znode, null for a persistent one or none. */
  async ephemeralOwner(path: string): Promise<string | null> {
    const abs = absolutePath(this.root, path);
    const stat = await this.call<Stat | null>(abs, (done) => this.client.exists(abs, (err, stat) => done(err, stat ?? null)), 'read');
    if (stat === null) return null;
    const owner = (stat as unknown as { ephemeralOwner: Buffer }).ephemeralOwner.toString('hex');
    return /^0+$/.test(owner) ? null : owner;
  }

  /**
   * Creates a znode, creating missing parents as empty persistent znodes
   * (mkdirp). Returns its path relative to the root: for sequential modes,
   * with the sequence suffix. NodeExistsError when it already exists.
   */
  async create(path: string, data?: ZkData, mode: ZkCreateMode = 'persistent'): Promise<string> {
    const abs = absolutePath(this.root, path);
    try {
      return await this.createAbsolute(abs, data, mode);
    } catch (err) {
      if (!(err instanceof NoNodeError)) throw err;
    }
    for (const parent of ancestors(abs)) await this.ensurePath(parent);
    return this.createAbsolute(abs, data, mode);
  }

  /** An ephemeral znode: it vanishes when this session ends. */
  createEphemeral(path: string, data?: ZkData): Promise<string> {
    return this.create(path, data, 'ephemeral');
  }

  /** `leader/n-` -> `leader/n-0000000007` (the suffix ZooKeeper appends). */
  createEphemeralSequential(path: string, data?: ZkData): Promise<string> {
    return this.create(path, data, 'ephemeral_sequential');
  }

  /** The znode's data and version, or null when it does not exist. */
  async get(path: string): Promise<ZkNode | null> {
    const abs = absolutePath(this.root, path);
    try {
      const [data, stat] = await this.call<readonly [Buffer | undefined, Stat]>(
        abs,
        (done) => this.client.getData(abs, (err, data, stat) => done(err, [data, stat] as const)),
        'read',
      );
      return { data: data ?? null, version: stat.version };
    } catch (err) {
      if (err instanceof NoNodeError) return null;
      throw err;
    }
  }

  /**
   * Writes a znode's data and returns its new version. With `version`, a
   * compare-and-set: BadVersionError when it changed, NoNodeError when it is
   * gone. Without, an upsert: a missing znode is created (with parents).
   */
  async set(path: string, data: ZkData, version?: number): Promise<number> {
    const abs = absolutePath(this.root, path);
    if (version !== undefined) return this.setAbsolute(abs, data, version);
    for (;;) {
      try {
        return await this.setAbsolute(abs, data, -1);
      } catch (err) {
        if (!(err instanceof NoNodeError)) throw err;
      }
      try {
        await this.create(path, data);
        return 0;
      } catch (err) {
        // Someone created it in between: set it again.
        if (!(err instanceof NodeExistsError)) throw err;
      }
    }
  }

  exists(path: string): Promise<boolean> {
    return this.existsAbsolute(absolutePath(this.root, path));
  }

  /**
   * Fails with ZkNoAuthError unless this client may change the znode (and
   * with NoNodeError when it does not exist), changing nothing: it sets the
   * data at a version no znode has, and ZooKeeper checks the ACL before the
   * version. For a command that must not do half its work (Redis, then
   * ZooKeeper) under credentials ZooKeeper refuses.
   */
  async assertMayChange(path: string): Promise<void> {
    try {
      await this.setAbsolute(absolutePath(this.root, path), Buffer.alloc(0), -2);
    } catch (err) {
      if (!(err instanceof BadVersionError)) throw err;
    }
  }

  /** The znode's ACL and its ACL version (`aversion`, for a compare-and-set with `setAcl`). */
  async getAcl(path: string): Promise<{ acl: ZkAclEntry[]; version: number }> {
    const abs = absolutePath(this.root, path);
    const [acl, stat] = await this.call<readonly [ACL[], Stat]>(abs, (done) => this.client.getACL(abs, (err, acl, stat) => done(err, [acl, stat] as const)), 'read');
    return {
      // The library names it `permission` (its typings say `perms`).
      acl: acl.map((a) => ({ scheme: a.id.scheme, id: a.id.id, perms: (a as unknown as { permission: number }).permission })),
      version: stat.aversion,
    };
  }

  /** Replaces the znode's ACL (needs the admin right on it); `version` is the ACL version to compare-and-set against. */
  async setAcl(path: string, acl: readonly ZkAclEntry[], version = -1): Promise<void> {
    const abs = absolutePath(this.root, path);
    await this.call<Stat>(abs, (done) => this.client.setACL(abs, toLibraryAcl(acl), version, (err, stat) => done(err, stat)));
  }

  /** Child names, sorted; NoNodeError when the znode does not exist. `watcher` fires once. */
  async children(path: string, watcher?: (event: ZkWatchEvent) => void): Promise<string[]> {
    const abs = absolutePath(this.root, path);
    const names = await this.call<string[]>(
      abs,
      (done) => {
        const callback = (err: unknown, children: string[]) => done(err, children);
        if (watcher) this.client.getChildren(abs, (event) => watcher(this.watchEvent(event)), callback);
        else this.client.getChildren(abs, callback);
      },
      'read',
    );
    return [...names].sort();
  }

  /** The znode's data parsed as JSON, or null when it does not exist or is empty. */
  async getJson<T>(path: string): Promise<T | null> {
    const node = await this.get(path);
    return node?.data?.length ? (JSON.parse(node.data.toString('utf8')) as T) : null;
  }

  /** The JSON value with the version to compare-and-set against, or null. */
  async getJsonVersioned<T>(path: string): Promise<{ value: T; version: number } | null> {
    const node = await this.get(path);
    if (node === null) return null;
    return { value: (node.data?.length ? JSON.parse(node.data.toString('utf8')) : null) as T, version: node.version };
  }

  /** `set` with the value as JSON (same upsert / compare-and-set rules). */
  setJson(path: string, value: unknown, version?: number): Promise<number> {
    return this.set(path, JSON.stringify(value), version);
  }

  /**
   * Calls `cb` with the znode's current value (null while it does not exist),
   * then again after every change, re-arming the one-shot ZooKeeper watch
   * each time. Intermediate values between two notifications may be skipped
   * (ZooKeeper's watches are one-shot), the latest never is. Stops when the
   * returned function is called, or when the session ends.
   */
  watchData(path: string, cb: (node: ZkNode | null) => void): () => void {
    const abs = absolutePath(this.root, path);
    let lastSeen: string | undefined;
    const emit = (key: string, node: ZkNode | null) => {
      if (key === lastSeen) return;
      lastSeen = key;
      cb(node);
    };
    return this.rearming(async (rearm) => {
      try {
        const [data, stat] = await settle<readonly [Buffer | undefined, Stat]>((done) =>
          this.client.getData(abs, rearm, (err, data, stat) => done(err, [data, stat] as const)),
        );
        // mzxid names one modification: it tells a real change from a repeated read.
        emit(stat.mzxid.toString('hex'), { data: data ?? null, version: stat.version });
      } catch (err) {
        if (mapZkError(err, abs) instanceof NoNodeError) {
          const stat = await settle<Stat | null>((done) => this.client.exists(abs, rearm, (e, s) => done(e, s ?? null)));
          if (stat !== null) return 'again'; // created meanwhile
          emit('none', null);
          return 'armed';
        }
        throw err;
      }
      return 'armed';
    });
  }

  /**
   * Calls `cb` with the sorted child names (null while the znode does not
   * exist), then again whenever they change, re-arming the watch each time.
   */
  watchChildren(path: string, cb: (children: string[] | null) => void): () => void {
    const abs = absolutePath(this.root, path);
    let lastSeen: string | undefined;
    const emit = (children: string[] | null) => {
      const key = children === null ? '\u0000none' : children.join('/');
      if (key === lastSeen) return;
      lastSeen = key;
      cb(children);
    };
    return this.rearming(async (rearm) => {
      try {
        const children = await settle<string[]>((done) => this.client.getChildren(abs, rearm, (err, c) => done(err, c)));
        emit([...children].sort());
      } catch (err) {
        if (mapZkError(err, abs) instanceof NoNodeError) {
          const stat = await settle<Stat | null>((done) => this.client.exists(abs, rearm, (e, s) => done(e, s ?? null)));
          if (stat !== null) return 'again';
          emit(null);
          return 'armed';
        }
        throw err;
      }
      return 'armed';
    });
  }

  /**
   * Removes a znode (all below it too with `recursive`, children first).
   * Resolves false when it did not exist. NotEmptyError without `recursive`
   * when it has children; BadVersionError when `version` does not match.
   */
  async remove(path: string, opts: { recursive?: boolean; version?: number } = {}): Promise<boolean> {
    const abs = absolutePath(this.root, path);
    if (opts.recursive) {
      let children: string[];
      try {
        children = await this.children(path);
      } catch (err) {
        if (err instanceof NoNodeError) return false;
        throw err;
      }
      const prefix = path.replace(/^\/+/, '');
      await Promise.all(children.map((child) => this.remove(prefix === '' ? child : `${prefix}/${child}`, { recursive: true })));
    }
    try {
      await this.call(abs, (done) => this.client.remove(abs, opts.version ?? -1, (err) => done(err)));
      return true;
    } catch (err) {
      if (err instanceof NoNodeError) return false;
      throw err;
    }
  }

  /** Applies all operations atomically, or none (the error is the first failing operation's). */
  async transaction(ops: ZkOp[]): Promise<void> {
    const tx = this.client.transaction();
    const paths = ops.map((op) => absolutePath(this.root, op.path));
    ops.forEach((op, i) => {
      const abs = paths[i];
      switch (op.op) {
        case 'create': {
          const data = toBuffer(op.data);
          if (data) tx.create(abs, data, this.libraryAcl, CREATE_MODES[op.mode ?? 'persistent']);
          else tx.create(abs, this.libraryAcl, CREATE_MODES[op.mode ?? 'persistent']);
          break;
        }
        case 'set':
          tx.setData(abs, toBuffer(op.data) ?? null, op.version ?? -1);
          break;
        case 'check':
          tx.check(abs, op.version);
          break;
        case 'remove':
          tx.remove(abs, op.version ?? -1);
          break;
      }
    });
    await this.call<unknown>(null, (done) =>
      tx.commit((err, results: Array<{ err?: number }> | undefined) => {
        if (!err) return done(null);
        // ZooKeeper marks the operations it rolled back with -2; the culprit has its own code.
        const failed = results?.findIndex((r) => typeof r.err === 'number' && r.err !== 0 && r.err !== -2) ?? -1;
        done(mapZkError(err, failed >= 0 ? paths[failed] : null, this.errorContext('change')));
      }),
    );
  }

  /** Ends the session: its ephemeral znodes vanish at once. Safe to call twice. */
  async close(): Promise<void> {
    const wasConnected = this.lifecycle.state === 'connected';
    if (!this.lifecycle.closing()) return;
    clearInterval(this.watchdog);
    await new Promise<void>((resolve) => {
      // A connected client hears the server close the socket; wait for that, not forever.
      const timer = setTimeout(resolve, wasConnected ? 2_000 : 0);
      this.client.once('disconnected', () => {
        clearTimeout(timer);
        resolve();
      });
      this.client.close();
    });
    this.stopReconnecting();
    this.lifecycle.closed();
  }

  /** Closed, expired or refused: nothing more will happen on this session. */
  private get ended(): boolean {
    return this.lifecycle.ended;
  }

  private get manager(): ConnectionManagerInternals {
    return (this.client as unknown as { connectionManager: ConnectionManagerInternals }).connectionManager;
  }

  /** Notes every byte heard from the server and when each connect attempt starts. */
  private instrument(): void {
    const manager = this.manager;
    const onSocketData = manager.onSocketData;
    const connect = manager.connect;
    const onSocketConnected = manager.onSocketConnected;
    manager.onSocketData = (buffer: Buffer) => {
      this.lastHeard = Date.now();
      try {
        onSocketData.call(manager, buffer);
      } catch (err) {
        // The library throws from its socket handler on bytes it cannot read ("Unknown code: …" from a
        // frame it split wrong, after a server stopped and continued: node-zookeeper-client issues 23,
        // 39, 70), which would end the process. The stream is worthless past that point: drop it; the
        // library reconnects with the session, as after a silent server, and the next connection
        // forgets the half-read frame (onSocketConnected below). A throw from a callback the library
        // runs while reading would land here too: the event carries its message.
        this.lifecycle.streamGarbled(err instanceof Error ? err.message : String(err));
        manager.socket?.destroy();
      }
    };
    manager.connect = () => {
      this.attemptStartedAt = Date.now();
      this.lifecycle.attemptStarted();
      connect.call(manager);
    };
    // The library queues its auth packets behind the calls made while disconnected, which the
    // server would then run unauthenticated (NoAuth): put the auth packets first. The rest keeps the
    // library's order (those calls, then the watches to re-register).
    manager.onSocketConnected = () => {
      // A new connection is a new byte stream. The library keeps the part of a frame the last socket
      // left unfinished (a server stopped or cut mid-answer) and would read the new server's first
      // bytes as its rest: a garbled connect answer, a hang or an exception that ends the process.
      manager.pendingBuffer = null;
      const waiting = manager.packetQueue.queue.splice(0);
      onSocketConnected.call(manager);
      const queued = manager.packetQueue.queue.splice(0);
      const isAuth = (packet: QueuedPacket) => packet.request?.header?.type === OP_AUTH;
      manager.packetQueue.queue.push(...queued.filter(isAuth), ...waiting, ...queued.filter((packet) => !isAuth(packet)));
    };
  }

  /** The watchdog (see the class comment): drops silent connections, expires a session gone too long. */
  private checkLiveness(): void {
    if (this.ended) return;
    const manager = this.manager;
    const now = Date.now();
    const timeout = manager.sessionTimeout;
    if (manager.state === CM_CONNECTED) {
      this.attemptStartedAt = null;
      // Pings go out after a third of the timeout idle; two thirds without a byte is a dead line.
      if (now - this.lastHeard > (timeout * 2) / 3) {
        this.lifecycle.serverSilent(now - this.lastHeard);
        manager.socket?.destroy();
      }
      return;
    }
    // Only once a session exists: a first connect is bounded by connect()'s own timeout, and cutting it
    // shorter fails a server that is merely slow to create the session (a write it syncs to disk).
    const established = this.lifecycle.hasSession;
    if (established && manager.state === CM_CONNECTING && this.attemptStartedAt !== null && now - this.attemptStartedAt > connectAttemptBound(timeout)) {
      // A server that took the connection but does not answer it (the library waits forever).
      this.lifecycle.attemptTimedOut(now - this.attemptStartedAt);
      this.attemptStartedAt = null;
      manager.socket?.destroy();
    }
    if (established && this.lifecycle.state !== 'connected' && now - this.lastHeard >= timeout) this.expireLocally();
  }

  /**
   * Out of touch for a whole session timeout: the session is as good as
   * gone. Stop the library (reconnecting with the old session could revive
   * it on a restarted server) and fail what it still holds.
   */
  private expireLocally(): void {
    haltReconnects(this.client);
    clearInterval(this.watchdog);
    this.lifecycle.expired('client');
    this.failQueued(-112); // session expired
  }

  /** Fails every call the library still holds with its Exception `code` (call() maps it). */
  private failQueued(code: number): void {
    const manager = this.manager;
    const queued = [...manager.packetQueue.queue, ...manager.pendingQueue];
    manager.packetQueue.queue.length = 0;
    manager.pendingQueue.length = 0;
    const error = libraryException(code);
    for (const packet of queued) packet.callback?.(error);
  }

  /**
   * node-zookeeper-client keeps reconnecting a client closed while it was not
   * connected (its reconnect timer outlives close()). Cut that loop on this
   * instance so a closed client never holds the process open.
   */
  private stopReconnecting(): void {
    haltReconnects(this.client);
  }

  /** Fails fast on a dead client, bounds the wait, maps errors. */
  private async call<T>(path: string | null, start: (done: (err: unknown, value?: T) => void) => void, access: ZkAccess = 'change'): Promise<T> {
    this.assertUsable(path);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        settle(start),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new ZkConnectionLossError(`ZooKeeper did not answer within ${this.operationTimeoutMs} ms`, { path })),
            this.operationTimeoutMs,
          );
        }),
      ]);
    } catch (err) {
      throw mapZkError(err, path, this.errorContext(access));
    } finally {
      clearTimeout(timer);
    }
  }

  private errorContext(access: ZkAccess): { access: ZkAccess; authenticated: boolean; scheme?: string } {
    return { access, authenticated: this.auth !== undefined, scheme: this.auth?.scheme };
  }

  private assertUsable(path: string | null): void {
    const state = this.lifecycle.state;
    if (state === 'closed') throw new ZkClosedError(path);
    if (state === 'expired') throw new ZkSessionExpiredError(path);
    if (state === 'auth_failed') throw new ZkAuthFailedError(path, this.auth?.scheme);
  }

  private createAbsolute(abs: string, data: ZkData, mode: ZkCreateMode): Promise<string> {
    const buffer = toBuffer(data);
    return this.call<string>(abs, (done) => {
      const callback = (err: unknown, created: string) => done(err, created);
      if (buffer) this.client.create(abs, buffer, this.libraryAcl, CREATE_MODES[mode], callback);
      else this.client.create(abs, this.libraryAcl, CREATE_MODES[mode], callback);
    }).then((created) => (created === this.root || created.startsWith(`${this.root}/`) ? relativePath(this.root, created) : created));
  }

  private setAbsolute(abs: string, data: ZkData, version: number): Promise<number> {
    return this.call<Stat>(abs, (done) =>
      this.client.setData(abs, toBuffer(data) ?? null, version, (err, stat) => done(err, stat)),
    ).then((stat) => stat.version);
  }

  private async existsAbsolute(abs: string): Promise<boolean> {
    const stat = await this.call<Stat | null>(abs, (done) => this.client.exists(abs, (err, stat) => done(err, stat ?? null)), 'read');
    return stat !== null;
  }

  /** Creates an empty persistent znode unless it exists. */
  private async ensurePath(abs: string): Promise<void> {
    if (abs === '/') return;
    try {
      await this.createAbsolute(abs, undefined, 'persistent');
    } catch (err) {
      if (err instanceof NodeExistsError) return;
      // A parent we may not create under refuses before it checks for the child: it may well be there.
      if (err instanceof ZkNoAuthError && (await this.existsAbsolute(abs))) return;
      throw err;
    }
  }

  private watchEvent(event: { type: number; path: string }): ZkWatchEvent {
    return { type: WATCH_EVENT_TYPES[event.type] ?? 'changed', path: relativePath(this.root, event.path) };
  }

  /**
   * Runs `arm` now and again whenever its one-shot watch fires, one at a
   * time (a data and an existence watch may fire together). `arm` answers
   * 'again' to be run once more at once. Lost connections retry after a
   * pause (backing off while they last); a dead session or closed client,
   * or any error that is not retriable, ends the loop.
   */
  private rearming(arm: (rearm: () => void) => Promise<'armed' | 'again'>): () => void {
    const backoff = new Backoff(REARM_RETRY);
    let active = true;
    let running = false;
    let pending = false;
    const trigger = (): void => {
      if (!active || this.ended) return;
      if (running) {
        pending = true;
        return;
      }
      running = true;
      arm(trigger)
        .then((outcome) => {
          backoff.succeeded();
          if (outcome === 'again') pending = true;
        })
        .catch((err: unknown) => {
          const mapped = mapZkError(err, null);
          if (mapped instanceof ZkError && isRetriable(mapped) && this.lifecycle.state !== 'closed') {
            setTimeout(trigger, backoff.failed()).unref();
          } else {
            active = false;
          }
        })
        .finally(() => {
          running = false;
          if (pending && active && !this.ended) {
            pending = false;
            trigger();
          }
        });
    };
    trigger();
    return () => {
      active = false;
    };
  }
}

/**
 * Stops a node-zookeeper-client instance for good: no new connect attempt,
 * none in flight (a spin-delay timer may still open a socket: it is closed
 * as soon as it connects, before it could present the session again).
 */
function haltReconnects(client: Client): void {
  const manager = (client as unknown as { connectionManager?: ConnectionManagerInternals }).connectionManager;
  if (!manager) return;
  manager.connect = () => {};
  manager.onSocketConnected = function (this: ConnectionManagerInternals) {
    this.socket?.destroy();
  };
  if (manager.connectTimeoutHandler) clearTimeout(manager.connectTimeoutHandler);
  manager.socket?.destroy();
}
