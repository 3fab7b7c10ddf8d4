import type { Command } from 'commander';
import { defaultRegistry } from '../../bolts/handlers/registry';
import { RedisStateStore } from '../../state/redis-state-store';
import { TabQuery, type RenderedAggregate } from '../../state/tab-query';
import { configFrom, withConfigFlags } from './config-flags';
import { CLIENT_TIMEOUT_MS, redisClient } from '../../state/redis-client';

const print = (line: string): void => void process.stdout.write(`${line}\n`);

async function withQuery<T>(flags: Record<string, string | undefined>, fn: (q: TabQuery) => Promise<T>): Promise<T> {
  const config = configFrom(flags);
  const redis = redisClient(config.redis, { timeoutMs: CLIENT_TIMEOUT_MS, maxRetriesPerRequest: 1 });
  try {
    return await fn(new TabQuery(new RedisStateStore(redis, { prefix: config.redisPrefix }), defaultRegistry(), flags.topology ?? 'taba'));
  } finally {
    redis.disconnect();
  }
}

/** One line per window of an aggregate: the text form of `--json`. */
export function renderAggregateText(a: RenderedAggregate): string {
  const { name, type, clients, ...rest } = a;
  const lines = [`${name} (${type}, ${clients} client${clients === 1 ? '' : 's'})`];
  for (const [k, v] of Object.entries(rest)) lines.push(`  ${k.padEnd(12)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return lines.join('\n');
}

export function registerQueryCommands(program: Command): void {
  const query = program.command('query').description('read aggregates from Redis (patterns are regular expressions anchored at both ends)');
  const common = (cmd: Command): Command =>
    withConfigFlags(cmd.option('--topology <name>', 'the topology whose state to read', 'taba').option('--json', 'print JSON'));

  common(query.command('aggregate <tabPattern>').description('Tabs merged across their clients').option('--client <pattern>', 'only these clients')).action(
    async (tabPattern: string, flags) => {
      const out = await withQuery(flags, (q) => q.aggregate(tabPattern, flags.client));
      if (flags.json) print(JSON.stringify(out, null, 2));
      else for (const a of Object.values(out)) print(renderAggregateText(a));
    },
  );

  common(query.command('projection <tabPattern>').description('each client’s own view of each Tab').option('--client <pattern>', 'only these clients')).action(
    async (tabPattern: string, flags) => {
      const out = await withQuery(flags, (q) => q.projections(tabPattern, flags.client));
      if (flags.json) print(JSON.stringify(out, null, 2));
      else for (const perClient of Object.values(out)) for (const [client, a] of Object.entries(perClient)) print(renderAggregateText({ ...a, name: `${a.name} @ ${client}` }));
    },
  );

  common(query.command('tabs [tabPattern]').description('Tabs with their type and client count')).action(async (tabPattern: string | undefined, flags) => {
    const out = await withQuery(flags, (q) => q.tabs(tabPattern ?? '.*'));
    if (flags.json) print(JSON.stringify(out, null, 2));
    else for (const t of out) print(`${t.tab}\t${t.type}\t${t.clients} clients`);
  });

  common(query.command('clients [tabPattern]').description('clients that recorded the matching Tabs')).action(async (tabPattern: string | undefined, flags) => {
    const out = await withQuery(flags, (q) => q.clients(tabPattern ?? '.*'));
    print(flags.json ? JSON.stringify(out) : out.join('\n'));
  });

  common(query.command('types').description('registered Tab types, with how many Tabs of each the topology holds')).action(async (flags) => {
    const tabs = await withQuery(flags, (q) => q.tabs('.*'));
    const out = defaultRegistry()
      .types()
      .map((type) => ({ type, tabs: tabs.filter((t) => t.type === type).length }));
    if (flags.json) print(JSON.stringify(out, null, 2));
    else for (const t of out) print(`${t.type}\t${t.tabs} tabs`);
  });
}
