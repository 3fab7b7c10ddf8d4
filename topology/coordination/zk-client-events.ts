// What a ZkClient tells whoever listens about its connection and its session
// (as runner-events.ts for the runner): typed lifecycle events. A worker
// passes them on as its `zookeeper` event (worker-events.ts); its log lines
// (worker-log.ts) and its /metrics (worker-metrics.ts) subscribe.

/** Where a client's connection and session stand. */
export type ZkClientState = 'connected' | 'disconnected' | 'expired' | 'auth_failed' | 'closed';

export interface ZkConnected {
  /** The session id, 16 hex digits. */
  session: string;
  /** The same session again after a lost connection (false: the session's first connection). */
  again: boolean;
}

export interface ZkReconnecting {
  session: string;
  /** Connect attempts since the connection was lost, this one included. */
  attempt: number;
}

export interface ZkConnectTimeout {
  session: string;
  /** How long the server took the connection without answering it before the attempt was dropped. */
  afterMs: number;
}

export interface ZkServerSilent {
  session: string;
  /** How long nothing was heard on a connected line before it was dropped. */
  silentMs: number;
}

export interface ZkStreamGarbled {
  session: string;
  /** What reading the server's bytes threw (node-zookeeper-client's parser). */
  error: string;
}

export interface ZkSessionExpired {
  session: string;
  /** `server`: a server said so; `client`: out of touch for a whole session timeout, the client concluded it. */
  by: 'server' | 'client';
}

/** Every event a ZkClient emits, and its payload. */
export interface ZkClientEvents {
  connected: [ZkConnected];
  /** The connection is lost; the session may still be alive (calls wait, or fail after their timeout). */
  disconnected: [{ session: string }];
  /** A connect attempt with the session began (after `disconnected`). */
  reconnecting: [ZkReconnecting];
  /** A connect attempt a server took but never answered was dropped (the next follows). */
  connect_timeout: [ZkConnectTimeout];
  /** A connected server fell silent (stopped, or a network gone without a reset): the connection is dropped. */
  server_silent: [ZkServerSilent];
  /**
   * The library could not read what came on the line (a frame it parsed
   * wrong: it throws from its socket handler, which would end the process):
   * the connection is dropped and made again, as for a silent server.
   */
  stream_garbled: [ZkStreamGarbled];
  /** The session is over: its ephemerals and watches are gone, every later call fails. Connect a new client. */
  session_expired: [ZkSessionExpired];
  /** A server refused the credentials and closed the session. */
  auth_failed: [{ session: string }];
  /** close() ended the session. */
  closed: [{ session: string }];
}

export type ZkClientEventName = keyof ZkClientEvents;

/** One event as one value, tagged with its name: what a Worker passes on. */
export type ZkClientEvent = { [K in ZkClientEventName]: { event: K } & ZkClientEvents[K][0] }[ZkClientEventName];

/** The state each event leaves the client in; null: the event does not change it. */
export const ZK_STATE_AFTER: Readonly<Record<ZkClientEventName, ZkClientState | null>> = {
  connected: 'connected',
  disconnected: 'disconnected',
  reconnecting: null,
  connect_timeout: null,
  server_silent: null,
  stream_garbled: null,
  session_expired: 'expired',
  auth_failed: 'auth_failed',
  closed: 'closed',
};

/** Every event name, for a listener of them all (a counter per event, say): ZK_STATE_AFTER's keys, which its type makes every name. */
export const ZK_CLIENT_EVENTS = Object.keys(ZK_STATE_AFTER) as readonly ZkClientEventName[];

/** Every state, for a gauge with a series per state. */
export const ZK_CLIENT_STATES: readonly ZkClientState[] = ['connected', 'disconnected', 'expired', 'auth_failed', 'closed'];

/** Emits one event (what ZkLifecycle is given). */
export type ZkNotify = <K extends ZkClientEventName>(name: K, ...args: ZkClientEvents[K]) => void;
