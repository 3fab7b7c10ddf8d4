import { kafkaErrorTree } from '../client/send-failure';

export { kafkaErrorTree, type KafkaErrorNode } from '../client/send-failure';

/** Whether Kafka answered `code` anywhere in the failure. */
export function hasKafkaErrorCode(err: unknown, code: number): boolean {
  for (const e of kafkaErrorTree(err)) if (e.apiCode === code) return true;
  return false;
}
