/** The local stack's Kafka, as every `topology` command defaults to. */
export const DEFAULT_BROKERS = '127.0.0.1:9092';

/**
 * The Kafka bootstrap brokers a TabClient uses: the `brokers` option (a list
 * or a comma-separated string), else `TABSTREAM_BROKERS` as the CLI reads it,
 * else the local stack's. None left after trimming is refused.
 */
export function bootstrapBrokers(option: string[] | string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const given = option ?? (env.TABSTREAM_BROKERS || DEFAULT_BROKERS);
  const brokers = (typeof given === 'string' ? given.split(',') : given).map((b) => b.trim()).filter((b) => b !== '');
  if (brokers.length === 0) throw new RangeError(`brokers must name at least one Kafka broker, host:port, got ${JSON.stringify(option)}`);
  return brokers;
}
