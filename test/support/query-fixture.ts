// The events the query tests (CLI and HTTP API) record and assert on:
// 5 Tabs of 4 types from 3 clients, with aggregates easy to check by hand.
import { TabClient } from '../../client';

export const FIXTURE_CLIENTS = ['bidder-1', 'bidder-2', 'other-1'];

/** Tabs recorded, each by every client. */
export const FIXTURE_TABS = 5;

/** Events each client records: 10 each of winning_bids, winning_bid_price and bidders_seen, one losing_bids, one queue_depth. */
export const FIXTURE_EVENTS_PER_CLIENT = 10 * 3 + 2;

export async function recordQueryFixture(brokers: string[], topic: string): Promise<void> {
  for (const clientId of FIXTURE_CLIENTS) {
    const client = new TabClient({ brokers, topic, clientId });
    await client.connect();
    for (let i = 1; i <= 10; i++) {
      client.counter('winning_bids').record(i);
      client.percentile('winning_bid_price').record(i / 10);
      client.unique('bidders_seen').record(`${clientId}-${i % 4}`);
    }
    client.counter('losing_bids').record(2);
    client.gauge('queue_depth').record(clientId === 'other-1' ? 7 : 3);
    await client.close();
  }
}
