// A runner's lifecycle log lines, written from its events (runner-events.ts).
// Operators and the fault tests read these messages: keep their words.
import type { Logger } from 'pino';
import type { RunnerEmitter } from './runner-events';

/** Subscribes `log` to a runner's events: one line per take-up, hand-over, fencing, and per stall period. */
export function logRunnerEvents(events: RunnerEmitter, log: Logger): void {
  events.on('took_up', ({ partition, generation, token, watermark, dedupBuckets }) =>
    log.info({ partition, generation, token, watermark, dedupBuckets }, 'took up'),
  );
  events.on('handed_over', ({ partition, generation, reason, pendingDropped }) => {
    if (pendingDropped) log.warn({ partition, generation }, 'handed over with a checkpoint Redis did not take: the next owner replays from the watermark');
    if (reason === 'reassigned') log.info({ partition, generation }, 'handed over');
    else log.info({ partition, generation }, 'handed over: a newer assignment claimed it in Redis');
  });
  events.on('running', ({ generation, partitions, ms }) => log.info({ generation, partitions, ms }, 'running'));
  events.on('fenced', ({ partition, token, newer }) => log.warn({ partition, token, newer }, 'fenced: a newer claim holds the partition'));
  events.on('state_lost', ({ partition, message }) =>
    log.warn({ partition, err: message }, 'Redis lost acknowledged writes: taking the partition up again from its watermark'),
  );
  // One line when the runner's first partition stalls and one when its last resumes, however many retries between.
  events.on('stalled', ({ partition, kind, reason, first }) => {
    if (first) log.warn({ partition, kind, reason }, 'checkpoints stalled');
  });
  events.on('resumed', ({ last, stalledMs }) => {
    if (last) log.info({ stalledMs }, 'checkpoints resumed');
  });
  events.on('mirror_behind', ({ reason }) => log.warn({ reason }, 'ZooKeeper offset mirror behind'));
  events.on('mirror_caught_up', ({ behindMs }) => log.info({ behindMs }, 'ZooKeeper offset mirror caught up'));
  events.on('consumer_replaced', () => log.info('Kafka reader replaced'));
}
