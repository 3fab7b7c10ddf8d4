// Helpers of the tests that log in to Redis as ACL users, over TLS or not.
import type { Redis } from 'ioredis';
import { TabClient } from '../../client';
import type { TabstreamConfig } from '../../topology/config';
import { AggregateReader, configEnv, explainWith, waitFor, type WorkerProcess } from './pipeline-harness';
import { runCli, type CliResult } from './run-cli';

/** The URL with `user` (and `password`) in it. */
export function withUser(url: string, user: string, password?: string): string {
  return url.replace('://', `://${encodeURIComponent(user)}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@`);
}

/** Redis's ACL log entries of one user that are refusals of a command (`<context>:<command>`) or a key (`key:<key>`), not of a login. */
export async function aclRefusals(admin: Redis, user: string): Promise<string[]> {
  const entries = (await admin.call('ACL', 'LOG', '1000')) as Array<Array<string | number>>;
  const refused = new Set<string>();
  for (const flat of entries) {
    const entry = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2) entry.set(String(flat[i]), String(flat[i + 1]));
    if (entry.get('username') !== user || entry.get('reason') === 'auth') continue;
    refused.add(`${entry.get('reason') === 'key' ? 'key' : entry.get('context')}:${entry.get('object')}`);
  }
  return [...refused].sort();
}

/** Counter events from one client, `events` of them over `tabs` Tabs `<prefix>0`, `<prefix>1`, ...: resolves with each Tab's count once Kafka has them all. */
export async function recordCounters(brokers: string[], topic: string, prefix: string, events: number, tabs: number): Promise<Map<string, number>> {
  const client = new TabClient({ brokers, topic, clientId: 'bidder-1' });
  await client.connect();
  const expected = new Map<string, number>();
  for (let i = 0; i < events; i++) {
    const tab = `${prefix}${i % tabs}`;
    client.counter(tab).record();
    expected.set(tab, (expected.get(tab) ?? 0) + 1);
  }
  await client.close();
  return expected;
}

/** Waits until the counters of `pattern`, read with `config`'s Redis settings, are exactly `expected`. */
export async function waitForExactCounters(config: TabstreamConfig, topology: string, pattern: string, expected: Map<string, number>, worker: WorkerProcess): Promise<void> {
  const reader = new AggregateReader(config, topology);
  try {
    await explainWith([worker], () =>
      waitFor('exact counters', () => reader.counterTotals(pattern), (t) => [...expected].every(([tab, n]) => t.get(tab)?.count === n), 60_000),
    );
  } finally {
    reader.close();
  }
}

/** `topology <args>` run with `config` in its environment; its stdout and stderr are kept in `outputs` (to look for secrets). */
export function recordingCli(outputs: string[]): (config: TabstreamConfig, ...args: string[]) => Promise<CliResult> {
  return async (config, ...args) => {
    const result = await runCli(args, configEnv(config), 60_000);
    outputs.push(result.stdout, result.stderr);
    return result;
  };
}
