import type { BoltDefinition } from '../contracts/component';
import type { Bolt, Emit, Tuple } from '../contracts/bolt';
import type { TabTaskContext } from './tab-task-context';
import type { HandlerRegistry } from '../tabs/handlers/registry';
import { boundedJson } from './bounded-json';
import { decodeMessage, type DecodeOptions } from './wire';
import { TabPatterns } from './tab-pattern';

export const EVENT_FIELDS = ['tab', 'type', 'value', 'time', 'client', 'id'] as const;
export type EventField = (typeof EVENT_FIELDS)[number];

/** How far ahead of the worker's clock an event time may be (DESIGN.md: default 1 h). */
export const DEFAULT_MAX_EVENT_FUTURE_MS = 60 * 60 * 1000;

/** Evidence a dead letter keeps of a refused batch element (the runtime cuts dead letters at 256 KiB too). */
const MAX_EVIDENCE_CHARS = 256 * 1024;

export interface ParseBoltOptions {
  /** Refuse (`time-in-future`) events stamped more than this ahead of the worker's clock; default 1 h. */
  maxEventFutureMs?: number;
  /** Refuse (`tab-blocked`) events of Tabs matching these patterns (`*`: any run of characters). */
  blockedTabs?: readonly string[];
}

/**
 * Decodes a Kafka message (one wire-format event or an array) into events.
 * Bad input goes to the dead-letter topic with its reason; the good events of
 * the same message still flow on.
 */
class ParseBolt implements Bolt {
  /** Reused for every message: only `now` changes, read once per message. */
  private readonly options: Required<DecodeOptions>;

  constructor(
    private readonly ctx: TabTaskContext,
    maxEventFutureMs: number,
    private readonly blocked: TabPatterns,
  ) {
    this.options = { now: 0, maxFutureMs: maxEventFutureMs };
  }

  execute(tuple: Tuple, emit: Emit): void {
    this.options.now = Date.now();
    const value = tuple.value as Buffer | null;
    const { events, rejections } = decodeMessage(value, this.ctx.registry, this.options);
    for (const rejection of rejections) {
      const payload = rejection.index === undefined ? (value ?? null) : elementEvidence(rejection.index, rejection.raw);
      this.ctx.deadLetter(rejection.reason, rejection.message, payload);
    }
    if (this.blocked.size === 0) {
      for (const event of events) emit(event as unknown as Tuple);
      return;
    }
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      const pattern = this.blocked.match(event.tab);
      if (pattern === undefined) emit(event as unknown as Tuple);
      else this.ctx.deadLetter('tab-blocked', `tab '${event.tab}' is blocked (pattern '${pattern}')`, event as unknown as Tuple);
    }
  }
}

/**
 * `{"index": i, "event": <the element>}` as bytes, rendered without recursion
 * (a hostile element may be nested 100k deep) and cut at the dead letter's bound.
 */
function elementEvidence(index: number, raw: unknown): Buffer {
  const head = `{"index":${index},"event":`;
  const { text, complete } = boundedJson(raw ?? null, MAX_EVIDENCE_CHARS - head.length);
  return Buffer.from(complete ? `${head}${text}}` : `${head}${text}`);
}

export function parseBolt(options: ParseBoltOptions = {}): BoltDefinition<HandlerRegistry, EventField> {
  const maxEventFutureMs = options.maxEventFutureMs ?? DEFAULT_MAX_EVENT_FUTURE_MS;
  if (!(Number.isSafeInteger(maxEventFutureMs) && maxEventFutureMs >= 0)) {
    throw new TypeError(`maxEventFutureMs must be a non-negative integer of milliseconds, got ${String(options.maxEventFutureMs)}`);
  }
  const blocked = new TabPatterns(options.blockedTabs ?? []);
  return { kind: 'bolt', type: 'parse', outputFields: EVENT_FIELDS, create: (ctx) => new ParseBolt(ctx, maxEventFutureMs, blocked) };
}
