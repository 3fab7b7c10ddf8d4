/**
 * Where a stateful bolt reads the states it does not hold in memory: the
 * durable store of its task's partition (Redis). One call is one pipelined
 * round; the bolt's fold itself stays synchronous.
 */
export interface StateSource {
  /**
   * The stored bytes of each (tab, client) state and the stored type of each
   * Tab, in the order asked; null where nothing is stored.
   */
  fetch(
    partition: number,
    states: ReadonlyArray<{ tab: string; client: string }>,
    tabs: readonly string[],
  ): Promise<{ states: Array<Buffer | null>; types: Array<string | null> }>;
  /**
   * One page of a walk over every stored state of the partition (a cursor
   * scan: cursor '0' starts a walk and comes back when it is done), each with
   * its Tab's stored type. A state may come twice in one walk.
   */
  scan(partition: number, cursor: string, count: number): Promise<{ cursor: string; states: StoredStatePage }>;
}

export type StoredStatePage = Array<{ tab: string; client: string; type: string | null; bytes: Buffer }>;
