import type { BoltDefinition } from '../topology/dsl';
import type { Bolt, Emit, Tuple } from '../topology/runtime/bolt';
import type { TaskContext } from '../topology/runtime/task-context';
import { decodeMessage } from './wire';

export const EVENT_FIELDS = ['tab', 'type', 'value', 'time', 'client', 'id'] as const;

/**
 * Decodes a Kafka message (one wire-format event or an array) into events.
 * Bad input goes to the dead-letter topic with its reason; the good events of
 * the same message still flow on.
 */
class ParseBolt implements Bolt {
  constructor(private readonly ctx: TaskContext) {}

  execute(tuple: Tuple, emit: Emit): void {
    const { events, rejections } = decodeMessage(tuple.value as Buffer | null, this.ctx.registry);
    for (const rejection of rejections) {
      const payload =
        rejection.index === undefined ? ((tuple.value as Buffer | null) ?? null) : { event: rejection.raw as unknown, index: rejection.index };
      this.ctx.deadLetter(rejection.reason, rejection.message, payload as Tuple | Buffer | null);
    }
    for (const event of events) emit(event as unknown as Tuple);
  }
}

export function parseBolt(): BoltDefinition {
  return { kind: 'bolt', type: 'parse', outputFields: EVENT_FIELDS, create: (ctx) => new ParseBolt(ctx) };
}
