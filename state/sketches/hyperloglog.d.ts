// Types for the `hyperloglog` package (0.1.2), which ships none.
declare module 'hyperloglog' {
  /** murmur3 x86 128-bit hash as four unsigned 32-bit words. */
  type Hash = [number, number, number, number];

  interface HyperLogLogData {
    n: number;
    buckets: Uint8Array;
  }

  interface HyperLogLogCounter {
    add(hash: Hash | null): HyperLogLogCounter;
    count(): number;
    relative_error(): number;
    output(): HyperLogLogData;
    merge(data: HyperLogLogData): void;
  }

  interface HyperLogLogFactory {
    (precision: number): HyperLogLogCounter;
    hash(value: string): Hash;
  }

  const HyperLogLog: HyperLogLogFactory;
  export default HyperLogLog;
}
