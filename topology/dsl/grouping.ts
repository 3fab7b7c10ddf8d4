// How a bolt receives the tuples of one of its inputs (Storm's stream groupings).
export type Grouping =
  | { kind: 'shuffle' }
  | { kind: 'localOrShuffle' }
  | { kind: 'fields'; fields: string[] }
  | { kind: 'all' }
  | { kind: 'global' };

export interface InputDeclaration {
  /** The upstream component's name. */
  from: string;
  grouping: Grouping;
}

export function describeGrouping(g: Grouping): string {
  return g.kind === 'fields' ? `fields(${g.fields.join(', ')})` : g.kind;
}
