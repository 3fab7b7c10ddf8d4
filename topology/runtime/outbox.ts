/** A message the runtime must get into Kafka before the checkpoint that covers its source. */
export interface OutboxMessage {
  topic: string;
  partition?: number;
  key: string | null;
  value: Buffer;
  headers?: Record<string, string>;
}

/** Where tasks put repartitioned tuples and dead letters; drained before each checkpoint write. */
export interface Outbox {
  push(message: OutboxMessage): void;
}
