import type { BoltDefinition, ComponentDefinition, ComponentOptions, SpoutDefinition } from '../../contracts/component';
import type { Grouping, InputDeclaration } from './grouping';
import { BoltHandle, ComponentHandle } from './handle';
import { TopologyError } from './topology-error';
import type { TabTypeDefinition } from './tab-type';
import { validateTabTypes, validateTopology } from './validate';
import { describeTopology } from './describe';
import type { TopologyDescription } from './description';

export interface DeclaredComponent {
  name: string;
  definition: ComponentDefinition;
  options: ComponentOptions;
  inputs: InputDeclaration[];
}

/** A validated, immutable DAG of one spout and its bolts. */
export class Topology {
  constructor(
    readonly name: string,
    /** In declaration order, which validation guarantees is also a topological order. */
    readonly components: readonly DeclaredComponent[],
    /** The Tab types this topology registers beside the built-in ones, in declaration order. */
    readonly tabTypes: readonly TabTypeDefinition[] = [],
  ) {}

  get spout(): DeclaredComponent & { definition: SpoutDefinition } {
    return this.components.find((c) => c.definition.kind === 'spout') as DeclaredComponent & {
      definition: SpoutDefinition;
    };
  }

  get bolts(): Array<DeclaredComponent & { definition: BoltDefinition }> {
    return this.components.filter((c) => c.definition.kind === 'bolt') as Array<
      DeclaredComponent & { definition: BoltDefinition }
    >;
  }

  component(name: string): DeclaredComponent | undefined {
    return this.components.find((c) => c.name === name);
  }

  /** Components that read from `name`, with the grouping they read it by. */
  consumersOf(name: string): Array<{ component: DeclaredComponent; grouping: Grouping }> {
    const out: Array<{ component: DeclaredComponent; grouping: Grouping }> = [];
    for (const c of this.components) {
      for (const input of c.inputs) if (input.from === name) out.push({ component: c, grouping: input.grouping });
    }
    return out;
  }

  /** Task count of a component once the spout topic has `partitions` partitions. */
  parallelismOf(name: string, partitions: number): number {
    return this.component(name)?.options.parallelism ?? partitions;
  }

  /** The internal topic that carries tuples to `bolt` when they must change task (Kafka Streams style). */
  repartitionTopic(bolt: string): string {
    return `${this.name}.${bolt}.repartition`;
  }

  /** Where records the topology rejects go (dead letters). */
  deadLetterTopic(): string {
    return `${this.spout.definition.topic}.dlq`;
  }

  /** The DAG as data, as Kafka Streams' Topology.describe() gives it; `renderDescription` prints it. */
  describe(partitions?: number): TopologyDescription {
    return describeTopology(this, partitions);
  }
}

export class TopologyBuilder {
  private readonly components: DeclaredComponent[] = [];
  private readonly tabTypes: TabTypeDefinition[] = [];
  private readonly handles = new Set<ComponentHandle>();

  constructor(readonly name: string) {}

  /**
   * Registers a Tab type (a TabHandler) for this topology: its workers fold
   * events of that type, and readers of the deployed topology render them.
   * The built-in types stay registered; reusing one of their names is an error.
   */
  tabType(definition: TabTypeDefinition): this {
    this.tabTypes.push(definition);
    return this;
  }

  /** Declares the spout; bolts name it for an input by the handle returned. */
  spout<Fields extends string>(name: string, definition: SpoutDefinition<Fields>, options: ComponentOptions = {}): ComponentHandle<Fields> {
    this.components.push({ name, definition, options, inputs: [] });
    return this.own(new ComponentHandle(name, definition.outputFields));
  }

  /** Declares a bolt; its inputs follow as groupings on the handle returned, e.g. `.fields(parse, 'tab')`. */
  bolt<Fields extends string>(name: string, definition: BoltDefinition<unknown, Fields>, options: ComponentOptions = {}): BoltHandle<Fields> {
    const declared: DeclaredComponent = { name, definition, options, inputs: [] };
    this.components.push(declared);
    const addInput = (from: unknown, grouping: Grouping): void => {
      declared.inputs.push({ from: this.inputName(name, from), grouping });
    };
    return this.own(new BoltHandle(name, definition.outputFields, addInput));
  }

  private own<H extends ComponentHandle>(handle: H): H {
    this.handles.add(handle);
    return handle;
  }

  /** The name of the component a handle stands for; anything but a handle of this builder is an error (a JavaScript module is not type-checked). */
  private inputName(bolt: string, from: unknown): string {
    if (from instanceof ComponentHandle && this.handles.has(from)) return from.name;
    const what =
      from instanceof ComponentHandle ? `'${from.name}', a component of another topology`
      : typeof from === 'string' ? `the name '${from}'`
      : 'a value that is no component handle';
    throw new TopologyError(`bolt '${bolt}' reads from ${what}: name an input by the handle this topology's t.spout() or t.bolt() returned`);
  }

  /** Validates the declaration; throws a TopologyError that says what is wrong. */
  build(): Topology {
    const ordered = validateTopology(this.name, this.components);
    validateTabTypes(this.name, this.tabTypes);
    return new Topology(this.name, ordered, [...this.tabTypes]);
  }
}

/** `topology('taba', (t) => { const events = t.spout(...); t.bolt(...).localOrShuffle(events); })` */
export function topology(name: string, declare: (t: TopologyBuilder) => void): Topology {
  const builder = new TopologyBuilder(name);
  declare(builder);
  return builder.build();
}
