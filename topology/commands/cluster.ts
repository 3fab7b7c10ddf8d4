import type { Command } from 'commander';
import { ZkClient } from '../coordination/zk-client';
import { CLIENT_TIMEOUT_MS } from '../../state/client-timeouts';
import { listSpecs, readSpec, setStatus } from '../coordination/spec-store';
import { readAssignment, type Assignment } from '../coordination/assignment-store';
import type { TabstreamConfig } from '../config';
import { configFrom, deployFrom, nonNegativeInt, positiveInt, withConfigFlags, withDeployFlags } from './config-flags';
import { renderRebalance } from '../coordination/assignment-moves';
import { specDescriptionText } from '../deploy/spec-description';

async function withZk<T>(config: TabstreamConfig, fn: (zk: ZkClient) => Promise<T>): Promise<T> {
  const zk = await ZkClient.forConfig(config, { connectTimeoutMs: CLIENT_TIMEOUT_MS, operationTimeoutMs: CLIENT_TIMEOUT_MS });
  try {
    return await fn(zk);
  } finally {
    await zk.close();
  }
}

const print = (line: string): void => void process.stdout.write(`${line}\n`);

/** Reads a topology's assignment every 200 ms until `done` holds of it (then returns it; `null` may be one) or `waitMs` passed (then `undefined`). */
async function awaitAssignment(zk: ZkClient, name: string, waitMs: number, done: (a: Assignment | null) => boolean): Promise<Assignment | null | undefined> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const current = (await readAssignment(zk, name))?.assignment ?? null;
    if (done(current)) return current;
    await new Promise((r) => setTimeout(r, 200));
  }
  return undefined;
}

export function registerClusterCommands(program: Command): void {
  withDeployFlags(
    program.command('deploy <topology>').description('submit a topology (built-in name such as taba, or a module path) to the cluster'),
  ).action(async (ref: string, flags) => {
    const spec = await deployFrom(ref, flags);
    print(specDescriptionText(spec));
    print(`deployed ${spec.name} version ${spec.version} (${spec.partitions} partitions)`);
  });

  withConfigFlags(program.command('list').description('list deployed topologies').option('--json', 'print JSON: a list of { name, status, version, topic, partitions, generation, deployedAt }')).action(
    async (flags) => {
      await withZk(configFrom(flags), async (zk) => {
        const rows = [];
        for (const s of await listSpecs(zk)) {
          const a = await readAssignment(zk, s.name);
          rows.push({ name: s.name, status: s.status, version: s.version, topic: s.options.topic, partitions: s.partitions, generation: a?.assignment.generation ?? null, deployedAt: s.deployedAt });
        }
        if (flags.json) print(JSON.stringify(rows, null, 2));
        else for (const r of rows) print(`${r.name}\t${r.status}\tversion ${r.version}\ttopic ${r.topic}\t${r.partitions} partitions\tgeneration ${r.generation ?? '-'}`);
      });
    },
  );

  withConfigFlags(
    program.command('status <name>').description('workers, partitions, offsets, lag and flushes of a topology').option('--json', 'print JSON'),
  ).action(async (name: string, flags) => {
    const config = configFrom(flags);
    await withZk(config, async (zk) => {
      // Loaded once ZooKeeper answered: a command facing a dead ZooKeeper says so before loading Kafka's and Redis's clients.
      const { renderStatus, topologyStatus } = await import('../deploy/topology-status');
      const s = await topologyStatus(zk, config, name);
      print(flags.json ? JSON.stringify(s, null, 2) : renderStatus(s));
      // What could be read is shown; a service that did not answer still makes it a failure.
      if (s.unavailable.length > 0) process.exitCode = 1;
    });
  });

  withConfigFlags(
    program
      .command('rebalance <name>')
      .description('ask the leader for a new assignment generation, and print which partitions moved from which worker to which')
      .option('--wait <s>', 'seconds to wait for the leader to write it', '10'),
  ).action(async (name: string, flags) => {
    const waitS = positiveInt(flags.wait, '--wait');
    await withZk(configFrom(flags), async (zk) => {
      const found = await readSpec(zk, name);
      if (found === null) throw new Error(`no topology named '${name}' is deployed`);
      const before = (await readAssignment(zk, name))?.assignment ?? null;
      await zk.set(`topologies/${name}`, Buffer.from(JSON.stringify({ ...found.spec, rebalanceRequestedAt: Date.now() })), found.version);
      const after = await awaitAssignment(zk, name, waitS * 1000, (a) => a !== null && a.generation > (before?.generation ?? 0));
      if (after) {
        for (const line of renderRebalance(name, before, after, found.spec.partitions)) print(line);
        return;
      }
      throw new Error(`rebalance of ${name} requested, but no leader wrote a new generation within ${waitS} s: start a worker (the leader is one of them; the request stands until one leads), or wait longer (--wait)`);
    });
  });

  for (const [command, status, what] of [
    ['deactivate', 'inactive', 'stop processing (workers flush, commit and release its partitions)'],
    ['activate', 'active', 'resume processing'],
  ] as const) {
    withConfigFlags(program.command(`${command} <name>`).description(what)).action(async (name: string, flags) => {
      await withZk(configFrom(flags), async (zk) => {
        await setStatus(zk, name, status);
        print(`${name} is ${status}`);
      });
    });
  }

  withConfigFlags(
    program
      .command('kill <name>')
      .description('stop a topology and remove it (its Redis aggregates stay)')
      .option('--wait <s>', 'seconds to let workers drain before removing it', '5'),
  ).action(async (name: string, flags) => {
    // Checked before anything changes: a bad --wait once killed at once (NaN s).
    const waitS = nonNegativeInt(flags.wait, '--wait');
    await withZk(configFrom(flags), async (zk) => {
      await setStatus(zk, name, 'killed');
      // Wait until the leader has released every partition (or the time is up).
      await awaitAssignment(zk, name, waitS * 1000, (a) => a === null || Object.keys(a.partitions).length === 0);
      await zk.remove(`topologies/${name}`, { recursive: true });
      await zk.remove(`assignments/${name}`, { recursive: true }).catch(() => {});
      print(`killed ${name}`);
    });
  });

  withConfigFlags(
    program
      .command('zk')
      .description("ZooKeeper administration of Tabstream's root")
      .command('secure')
      .description("give the root and every znode below it zkAuth's ACL (full rights for its identity, read for anyone): a root created before zkAuth was set")
      .option('--dry-run', 'only count the znodes whose ACL would change'),
  ).action(async (flags) => {
    const config = configFrom(flags);
    if (config.zkAuth === undefined) {
      throw new Error('zk secure needs zkAuth, the identity to own the znodes: --zk-credentials-file, TABSTREAM_ZK_CREDENTIALS_FILE, TABSTREAM_ZK_CREDENTIALS or the config file');
    }
    const { secureTree } = await import('../coordination/zk-secure');
    await withZk(config, async (zk) => {
      const { znodes, changed } = await secureTree(zk, { dryRun: flags.dryRun === true });
      const acl = `full rights for digest user ${config.zkAuth!.user}, read for anyone`;
      print(
        flags.dryRun
          ? `${changed} of ${znodes} znodes under ${config.zkRoot} would change to: ${acl} (dry run)`
          : `secured ${config.zkRoot}: ${changed} of ${znodes} znodes changed; every one now has ${acl}`,
      );
    });
  });
}
