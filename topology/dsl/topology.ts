import type { BoltDefinition, ComponentDefinition, ComponentOptions, SpoutDefinition } from '../../contracts/component';
import type { Grouping, InputDeclaration } from './grouping';
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

/** Declares inputs of the bolt just added; each call adds one input. */
export class BoltInputs {
  constructor(
    private readonly builder: TopologyBuilder,
    private readonly declared: DeclaredComponent,
  ) {}

  shuffle(from: string): this {
    return this.input(from, { kind: 'shuffle' });
  }
  localOrShuffle(from: string): this {
    return this.input(from, { kind: 'localOrShuffle' });
  }
  fields(from: string, ...fields: string[]): this {
    return this.input(from, { kind: 'fields', fields });
  }
  all(from: string): this {
    return this.input(from, { kind: 'all' });
  }
  global(from: string): this {
    return this.input(from, { kind: 'global' });
  }

  /** Adds the next bolt; lets a topology read as one chain. */
  bolt(name: string, definition: BoltDefinition, options: ComponentOptions = {}): BoltInputs {
    return this.builder.bolt(name, definition, options);
  }

  private input(from: string, grouping: Grouping): this {
    this.declared.inputs.push({ from, grouping });
    return this;
  }
}

export class TopologyBuilder {
  private readonly components: DeclaredComponent[] = [];
  private readonly tabTypes: TabTypeDefinition[] = [];

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

  spout(name: string, definition: SpoutDefinition, options: ComponentOptions = {}): this {
    this.components.push({ name, definition, options, inputs: [] });
    return this;
  }

  bolt(name: string, definition: BoltDefinition, options: ComponentOptions = {}): BoltInputs {
    const declared: DeclaredComponent = { name, definition, options, inputs: [] };
    this.components.push(declared);
    return new BoltInputs(this, declared);
  }

  /** Validates the declaration; throws a TopologyError that says what is wrong. */
  build(): Topology {
    const ordered = validateTopology(this.name, this.components);
    validateTabTypes(this.name, this.tabTypes);
    return new Topology(this.name, ordered, [...this.tabTypes]);
  }
}

/** `topology('taba', t => { t.spout(...); t.bolt(...).fields(...) })` */
export function topology(name: string, declare: (t: TopologyBuilder) => void): Topology {
  const builder = new TopologyBuilder(name);
  declare(builder);
  return builder.build();
}
