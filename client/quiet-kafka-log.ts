// KafkaJS log output for the Kafka instance a TabClient creates: warnings and
// errors as JSON lines on stderr, minus one known-harmless warning. KafkaJS
// warns that bounded retries "may invalidate EoS guarantees"; a batch that
// exhausts them is resent later by the same producer with the same sequence
// numbers (the broker drops a duplicate), and event ids cover the rest.
import { logLevel, type logCreator } from 'kafkajs';

const HARMLESS = /^Limiting retries for the idempotent producer/;

export const quietKafkaLogCreator: logCreator = () => ({ namespace, level, label, log }) => {
  if (level > logLevel.WARN || HARMLESS.test(String(log.message))) return;
  process.stderr.write(`${JSON.stringify({ ...log, level: label, namespace })}\n`);
};
