/** A topology that cannot run as declared; the message says what to change. */
export class TopologyError extends Error {
  readonly code = 'TOPOLOGY_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'TopologyError';
  }
}
