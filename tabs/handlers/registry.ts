import type { TabHandler } from './handler';
import { bufferHandler } from './buffer';
import { counterHandler } from './counter';
import { gaugeHandler } from './gauge';
import { percentileHandler } from './percentile';
import { uniqueHandler } from './unique';

const TYPE_NAME = /^[A-Za-z0-9_.:/-]{1,64}$/;
const VALUE_KINDS: ReadonlyArray<TabHandler['valueKind']> = ['number', 'string', 'any'];
/** What every handler must have; `isStale`, `mergeState` and `prunesStored` are optional. */
const REQUIRED = ['newState', 'fold', 'project', 'merge', 'render', 'shouldPrune', 'serialize', 'deserialize'] as const;
const OPTIONAL = ['isStale', 'mergeState', 'prunesStored'] as const;

/**
 * The Tab types a topology knows, by wire-format `type`. A user adds a type by
 * registering a handler; nothing else in the runtime changes.
 */
export class HandlerRegistry {
  private readonly handlers = new Map<string, TabHandler>();

  /** Adds a handler; a second handler for the same type is a mistake and throws. */
  register(handler: TabHandler): this {
    if (typeof handler.type !== 'string' || !TYPE_NAME.test(handler.type)) {
      throw new TypeError(`handler type ${JSON.stringify(handler.type)} must be 1..64 chars of [A-Za-z0-9_.:/-]`);
    }
    const missing: string[] = REQUIRED.filter((key) => typeof handler[key] !== 'function');
    for (const key of OPTIONAL) if (handler[key] !== undefined && typeof handler[key] !== 'function') missing.push(key);
    if (missing.length > 0) throw new TypeError(`handler '${handler.type}' is no TabHandler: ${missing.join(', ')} must be function${missing.length === 1 ? '' : 's'}`);
    if (!VALUE_KINDS.includes(handler.valueKind)) {
      throw new TypeError(`handler '${handler.type}': valueKind must be ${VALUE_KINDS.map((k) => `'${k}'`).join(', ')}, got ${JSON.stringify(handler.valueKind)}`);
    }
    const existing = this.handlers.get(handler.type);
    if (existing !== undefined && existing !== handler) throw new Error(`a handler for type '${handler.type}' is already registered`);
    this.handlers.set(handler.type, handler);
    return this;
  }

  get(type: string): TabHandler | undefined {
    return this.handlers.get(type);
  }

  has(type: string): boolean {
    return this.handlers.has(type);
  }

  types(): string[] {
    return [...this.handlers.keys()];
  }

  /** A registry with the same handlers, to register more in without changing this one. */
  copy(): HandlerRegistry {
    const out = new HandlerRegistry();
    for (const handler of this.handlers.values()) out.register(handler);
    return out;
  }
}

/** A registry with the built-in types: counter, gauge, percentile, unique, buffer. */
export function defaultRegistry(): HandlerRegistry {
  return new HandlerRegistry()
    .register(counterHandler)
    .register(gaugeHandler)
    .register(percentileHandler)
    .register(uniqueHandler)
    .register(bufferHandler);
}
