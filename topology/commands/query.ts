import type { Command } from 'commander';
import { defaultRegistry, type HandlerRegistry } from '../../tabs/handlers/registry';
import { RedisStateStore } from '../../state/redis-state-store';
import { pageSize, TabQuery, type PageRequest, type RenderedAggregate } from '../../state/tab-query';
import { CLI_QUERY_LIMITS, QueryBudget } from '../../state/query-budget';
import { configFrom, withConfigFlags } from './config-flags';
import { CLIENT_TIMEOUT_MS, redisClient } from '../../state/redis-client';
import { partitionCountKey } from '../../state/redis-keys';
import { queryTypes } from './query-types';

const print = (line: string): void => void process.stdout.write(`${line}\n`);

/**
 * Runs `fn` on a query of the topology's state. `types`: it renders states,
 * so it needs the topology's Tab types (queryTypes); listings read names only.
 */
async function withQuery<T>(flags: Record<string, string | undefined>, fn: (q: TabQuery, types: HandlerRegistry) => Promise<T>, types = true): Promise<T> {
  const config = configFrom(flags);
  const topology = flags.topology ?? 'taba';
  const deadlineMs = deadlineFlag(flags.deadline);
  const registry = types ? await queryTypes(config, topology, flags.module, (line) => process.stderr.write(`topology: ${line}\n`)) : defaultRegistry();
  const redis = redisClient(config, { timeoutMs: CLIENT_TIMEOUT_MS, maxRetriesPerRequest: 1 });
  const budget = new QueryBudget({ ...CLI_QUERY_LIMITS, deadlineMs });
  try {
    const store = new RedisStateStore(redis, { prefix: config.redisPrefix });
    // A topology is known to Redis by the partition count deploy writes, which kill leaves, as it leaves the aggregates.
    if ((await store.partitionCount(topology)) === null) {
      throw new Error(`no topology ${topology} deployed: Redis has no ${partitionCountKey(config.redisPrefix, topology)} (check --topology; topology list names the deployed ones)`);
    }
    return await fn(new TabQuery(store, registry, topology, budget), registry);
  } finally {
    redis.disconnect();
  }
}

/** `--deadline <s>`: how long a query may run (60 s by default). */
function deadlineFlag(value: string | undefined): number {
  if (value === undefined) return CLI_QUERY_LIMITS.deadlineMs;
  const s = Number(value);
  if (!Number.isFinite(s) || s <= 0) throw new Error(`--deadline takes seconds, got '${value}'`);
  return Math.round(s * 1000);
}

/** `--limit` and `--cursor` of a listing. */
function pageFlags(flags: Record<string, string | undefined>): PageRequest {
  const limit = flags.limit === undefined ? undefined : Number(flags.limit);
  pageSize(limit); // a one-line error before anything is read
  return { limit, cursor: flags.cursor };
}

/** Follows a listing's cursor: one page, or every page with --all. */
async function pages<T>(flags: Record<string, string | undefined>, read: (page: PageRequest) => Promise<{ items: T[]; next: string | null }>): Promise<{ items: T[]; next: string | null }> {
  let page = pageFlags(flags);
  const items: T[] = [];
  while (true) {
    const got = await read(page);
    items.push(...got.items);
    if (!flags.all || got.next === null) return { items, next: got.next };
    page = { ...page, cursor: got.next };
  }
}

const LISTING_HELP = 'pages of --limit names (1000; at most 10000), sorted; --cursor <name> starts after that name (a page\'s "next"); --all reads every page';

/** One line per window of an aggregate: the text form of `--json`. */
export function renderAggregateText(a: RenderedAggregate): string {
  const { name, type, clients, ...rest } = a;
  const lines = [`${name} (${type}, ${clients} client${clients === 1 ? '' : 's'})`];
  for (const [k, v] of Object.entries(rest)) lines.push(`  ${k.padEnd(12)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return lines.join('\n');
}

export function registerQueryCommands(program: Command): void {
  const query = program
    .command('query')
    .description('read aggregates from Redis (patterns are RE2 regular expressions, anchored at both ends: no backreferences or lookaround)');
  const common = (cmd: Command): Command =>
    withConfigFlags(
      cmd
        .option('--topology <name>', 'the topology whose state to read', 'taba')
        .option('--module <ref>', 'load the Tab types from this topology module (built-in name or path) instead of the deployed spec in ZooKeeper')
        .option('--json', 'print JSON')
        .option('--deadline <s>', 'stop the query after this long (also past 1 M states, 2 M names or 20 000 Tabs read)', '60'),
    );

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

  const listing = (cmd: Command): Command =>
    common(cmd.option('--limit <n>', 'most names per page (default 1000, at most 10000)').option('--cursor <name>', 'start after this name: the previous page\'s "next"').option('--all', 'read every page'));

  listing(query.command('tabs [tabPattern]').description(`Tabs with their type, from the types hashes (no state is read); ${LISTING_HELP}`))
    .option('--clients', 'also count each listed Tab\'s clients (reads the names of its states, not their bytes)')
    .action(async (tabPattern: string | undefined, flags) => {
      const out = await withQuery(flags, (q) =>
        pages(flags, async (page) => {
          const got = await q.listTabs(tabPattern ?? '.*', { ...page, clients: Boolean(flags.clients) });
          return { items: got.tabs, next: got.next };
        }),
        false,
      );
      if (flags.json) print(JSON.stringify({ tabs: out.items, next: out.next }, null, 2));
      else for (const t of out.items) print(t.clients === undefined ? `${t.tab}\t${t.type}` : `${t.tab}\t${t.type}\t${t.clients} clients`);
      if (!flags.json && out.next !== null) process.stderr.write(`more Tabs follow: --cursor '${out.next}' (or --all)\n`);
    });

  listing(query.command('clients [tabPattern]').description(`clients that recorded the matching Tabs (from the names of their states); ${LISTING_HELP}`)).action(
    async (tabPattern: string | undefined, flags) => {
      const out = await withQuery(flags, (q) =>
        pages(flags, async (page) => {
          const got = await q.listClients(tabPattern ?? '.*', page);
          return { items: got.clients, next: got.next };
        }),
        false,
      );
      if (flags.json) print(JSON.stringify({ clients: out.items, next: out.next }));
      else if (out.items.length > 0) print(out.items.join('\n'));
      if (!flags.json && out.next !== null) process.stderr.write(`more clients follow: --cursor '${out.next}' (or --all)\n`);
    },
  );

  common(query.command('types').description('registered Tab types, with how many Tabs of each the topology holds')).action(async (flags) => {
    const out = await withQuery(flags, async (q, types) => {
      const counts = await q.typeCounts();
      return types.types().map((type) => ({ type, tabs: counts.get(type) ?? 0 }));
    });
    if (flags.json) print(JSON.stringify(out, null, 2));
    else for (const t of out) print(`${t.type}\t${t.tabs} tabs`);
  });
}
