// Where the integration tests find their services. `npm test` (bin/run-tests.js)
// starts or reuses the test stack and passes its addresses in these variables.
export interface TestStack {
  /** ZooKeeper connect string, e.g. "127.0.0.1:12181". */
  zk: string;
  /** Kafka bootstrap brokers, e.g. "127.0.0.1:19092". */
  brokers: string;
  /** Redis URL, e.g. "redis://127.0.0.1:16379". */
  redis: string;
  /** The stack directory, for startService / stopService in fault tests. */
  dir: string;
}

const VARIABLES = {
  zk: 'TABSTREAM_ZK',
  brokers: 'TABSTREAM_BROKERS',
  redis: 'TABSTREAM_REDIS',
  dir: 'TABSTREAM_STACK_DIR',
} as const;

export function testStack(): TestStack {
  const missing = Object.values(VARIABLES).filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(', ')} not set: run integration tests through \`npm test\` (e.g. \`npm test -- test/integration/x.test.ts\`), which starts the test stack`,
    );
  }
  return {
    zk: process.env[VARIABLES.zk]!,
    brokers: process.env[VARIABLES.brokers]!,
    redis: process.env[VARIABLES.redis]!,
    dir: process.env[VARIABLES.dir]!,
  };
}
