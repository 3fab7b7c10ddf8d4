import type { Grouping } from './grouping';

/**
 * A component declared in a topology, as a bolt names it for an input: what
 * `t.spout()` returns (and `t.bolt()`, as a BoltHandle). `Fields` are the
 * names of the fields it emits, as a type, so that a fields grouping on a
 * name it does not emit, or a name string in place of a handle, does not
 * compile. The builder still checks at run time that a handle is one of its
 * own (a topology module in JavaScript has no types).
 */
export class ComponentHandle<Fields extends string = string> {
  constructor(
    readonly name: string,
    readonly outputFields: readonly Fields[],
  ) {}
}

/** A bolt just declared: its handle, and how it declares its inputs; each grouping call adds one input. */
export class BoltHandle<Fields extends string = string> extends ComponentHandle<Fields> {
  constructor(
    name: string,
    outputFields: readonly Fields[],
    private readonly addInput: (from: unknown, grouping: Grouping) => void,
  ) {
    super(name, outputFields);
  }

  shuffle(from: ComponentHandle): this {
    return this.input(from, { kind: 'shuffle' });
  }
  localOrShuffle(from: ComponentHandle): this {
    return this.input(from, { kind: 'localOrShuffle' });
  }
  /** Groups by one or more of the fields `from` emits; its type lets only those be named. */
  fields<From extends string>(from: ComponentHandle<From>, field: NoInfer<From>, ...more: NoInfer<From>[]): this {
    // No field only from JavaScript, where build() then says the grouping names none.
    return this.input(from, { kind: 'fields', fields: field === undefined ? [] : [field, ...more] });
  }
  all(from: ComponentHandle): this {
    return this.input(from, { kind: 'all' });
  }
  global(from: ComponentHandle): this {
    return this.input(from, { kind: 'global' });
  }

  private input(from: unknown, grouping: Grouping): this {
    this.addInput(from, grouping);
    return this;
  }
}
