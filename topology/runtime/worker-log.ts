// A worker's membership log lines, written from its events (worker-events.ts).
// The fault tests read these messages: keep their words.
import type { Logger } from 'pino';
import type { WorkerEmitter } from './worker-events';

export function logWorkerEvents(events: WorkerEmitter, log: Logger): void {
  events.on('joined', ({ zk, session }) => log.info({ zk, session }, 'joined'));
  events.on('session_lost', ({ session, by, refused }) => {
    if (refused !== null) log.error({ session }, `${refused}: stopping all tasks and rejoining`);
    // by 'client': out of touch with ZooKeeper for a whole session timeout; by 'server': it said so.
    else log.warn({ session, by }, 'ZooKeeper session expired: stopping all tasks and rejoining');
  });
  events.on('elected_leader', () => log.info('elected leader'));
}
