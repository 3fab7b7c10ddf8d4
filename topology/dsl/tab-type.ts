/**
 * A Tab type a topology brings along, next to its bolts: a `TabHandler`
 * (tabs/handlers/handler.ts). The DSL sits below the handlers and keeps it
 * opaque; the loader checks it and registers it beside the built-in types
 * (topology/topology-types.ts), where a clash with a built-in is an error.
 */
export interface TabTypeDefinition {
  /** The wire-format `type` of its events. */
  readonly type: string;
}
