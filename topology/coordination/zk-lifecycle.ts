// A ZkClient's connection and session as a state machine: what the library
// and the client's own watchdog observe goes in, the typed lifecycle events
// (zk-client-events.ts) come out. Apart from the client so the mapping is
// unit-tested without a ZooKeeper (test/unit/zk-lifecycle.test.ts).
import type { ZkClientState, ZkNotify } from './zk-client-events';

export class ZkLifecycle {
  private status: ZkClientState = 'disconnected';
  /** Set once a session was established: only an established session reconnects or expires. */
  private established = false;
  /** Connect attempts since the connection was lost. */
  private attempts = 0;
  /** The watchdog found this connection silent (told once: the line is being dropped). */
  private silent = false;
  /** Why the session ended: a server said so, or the client concluded it. */
  expiredBy: 'server' | 'client' | null = null;

  constructor(
    private readonly notify: ZkNotify,
    /** The session id now (16 hex digits). */
    private readonly session: () => string,
  ) {}

  get state(): ZkClientState {
    return this.status;
  }

  /** Whether a session was ever established on this client. */
  get hasSession(): boolean {
    return this.established;
  }

  /** Closed, expired or refused: nothing more will happen on this session. */
  get ended(): boolean {
    return this.status === 'closed' || this.status === 'expired' || this.status === 'auth_failed';
  }

  /** The library connected (a session's first connection, or the same session again). */
  connected(): void {
    if (this.ended || this.status === 'connected') return;
    const again = this.established;
    this.established = true;
    this.attempts = 0;
    this.silent = false;
    this.status = 'connected';
    this.notify('connected', { session: this.session(), again });
  }

  /** The library lost the connection. */
  disconnected(): void {
    if (this.ended || this.status !== 'connected') return;
    this.status = 'disconnected';
    this.notify('disconnected', { session: this.session() });
  }

  /** A connect attempt began: a reconnection once a session exists (a first connect is connect()'s business). */
  attemptStarted(): void {
    if (this.ended || !this.established || this.status === 'connected') return;
    this.attempts += 1;
    this.notify('reconnecting', { session: this.session(), attempt: this.attempts });
  }

  /** The watchdog dropped a connect attempt left unanswered for `afterMs`. */
  attemptTimedOut(afterMs: number): void {
    if (this.ended) return;
    this.notify('connect_timeout', { session: this.session(), afterMs });
  }

  /** The watchdog dropped a connected line silent for `silentMs`. */
  serverSilent(silentMs: number): void {
    if (this.status !== 'connected' || this.silent) return;
    this.silent = true;
    this.notify('server_silent', { session: this.session(), silentMs });
  }

  /** The library threw reading the line's bytes; the connection is being dropped. */
  streamGarbled(error: string): void {
    if (this.ended) return;
    this.notify('stream_garbled', { session: this.session(), error });
  }

  /** The session is over: `server`, a server said so; `client`, out of touch for a whole session timeout. */
  expired(by: 'server' | 'client'): void {
    if (this.ended) return;
    this.expiredBy = by;
    this.status = 'expired';
    this.notify('session_expired', { session: this.session(), by });
  }

  /** A server refused the credentials. */
  authFailed(): void {
    if (this.ended) return;
    this.status = 'auth_failed';
    this.notify('auth_failed', { session: this.session() });
  }

  /**
   * close() was called: no more events but `closed` (emitted by `closed()`,
   * once the library let go), whatever the library says meanwhile.
   */
  closing(): boolean {
    if (this.status === 'closed') return false;
    this.status = 'closed';
    return true;
  }

  closed(): void {
    this.notify('closed', { session: this.session() });
  }
}
