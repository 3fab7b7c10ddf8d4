// A worker's membership log lines, written from its events (worker-events.ts),
// and those of its ZooKeeper connection (its clients' events: one line when
// the member's connection goes, one when it is back; the rest at debug).
// The fault tests read these messages: keep their words.
import type { Logger } from 'pino';
import type { WorkerEmitter, WorkerZkEvent } from './worker-events';

export function logWorkerEvents(events: WorkerEmitter, log: Logger): void {
  events.on('joined', ({ zk, session }) => log.info({ zk, session }, 'joined'));
  events.on('session_lost', ({ session, by, refused }) => {
    if (refused !== null) log.error({ session }, `${refused}: stopping all tasks and rejoining`);
    // by 'client': out of touch with ZooKeeper for a whole session timeout; by 'server': it said so.
    else log.warn({ session, by }, 'ZooKeeper session expired: stopping all tasks and rejoining');
  });
  events.on('elected_leader', () => log.info('elected leader'));
  events.on('zookeeper', (e) => logZkEvent(e, log));
}

/**
 * The line of one ZooKeeper client event. Only the member's connection (the
 * session the worker is joined with) is told at info or warn: a client still
 * joining says nothing until `joined`, and a session's end is `session_lost`'s.
 */
function logZkEvent(e: WorkerZkEvent, log: Logger): void {
  const { session } = e;
  if (e.member && e.event === 'disconnected') log.warn({ session }, 'ZooKeeper unreachable: folding and checkpointing to Redis go on; offsets and coordination wait');
  else if (e.member && e.event === 'connected' && e.again) log.info({ session }, 'ZooKeeper answers again: same session, carrying on');
  else if (e.member && e.event === 'server_silent') log.warn({ session, silentMs: e.silentMs }, 'ZooKeeper silent: dropping the connection and reconnecting');
  else if (e.event === 'stream_garbled') log.warn({ session, member: e.member, error: e.error }, 'ZooKeeper answer unreadable: dropping the connection and reconnecting');
  else log.debug({ ...e }, `ZooKeeper client: ${e.event}`);
}
