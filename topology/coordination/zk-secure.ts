import { NoNodeError } from './zk-errors';
import type { ZkAclEntry, ZkClient } from './zk-client';

/** Same entries, in any order. */
function sameAcl(a: readonly ZkAclEntry[], b: readonly ZkAclEntry[]): boolean {
  const key = (acl: readonly ZkAclEntry[]) => acl.map((e) => `${e.scheme}:${e.id}:${e.perms}`).sort().join(',');
  return key(a) === key(b);
}

/**
 * Gives the root and every znode below it the ACL `zk` creates znodes with
 * (`securedAcl` of its credentials): a root created before `zkAuth` was set.
 * Parents before children, so a child created meanwhile by a client without
 * the credentials is refused, and one created with them is secured already:
 * one pass leaves nothing open. A znode gone meanwhile (an ephemeral) is
 * skipped. With `dryRun` nothing is changed. Resolves how many znodes were
 * walked and how many had (or have had) another ACL.
 */
export async function secureTree(zk: ZkClient, opts: { dryRun?: boolean } = {}): Promise<{ znodes: number; changed: number }> {
  let znodes = 0;
  let changed = 0;
  const walk = async (path: string): Promise<void> => {
    try {
      const { acl, version } = await zk.getAcl(path);
      znodes++;
      if (!sameAcl(acl, zk.acl)) {
        changed++;
        // Compare-and-set on the ACL version: an ACL someone changes meanwhile is refused, not overwritten unseen.
        if (!opts.dryRun) await zk.setAcl(path, zk.acl, version);
      }
      for (const child of await zk.children(path)) await walk(path === '' ? child : `${path}/${child}`);
    } catch (err) {
      if (!(err instanceof NoNodeError)) throw err;
    }
  };
  await walk('');
  return { znodes, changed };
}
