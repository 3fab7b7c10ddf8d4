/**
 * ZkClient paths are relative to a root (default `/tabstream`), so the same
 * code serves several installations on one ensemble.
 */
export const DEFAULT_ZK_ROOT = '/tabstream';

/** `/tabstream` or `/` -> a normalized absolute root without a trailing slash ('' for `/`). */
export function normalizeRoot(root: string): string {
  const trimmed = root.replace(/\/+$/, '');
  if (trimmed !== '' && !trimmed.startsWith('/')) throw new Error(`ZooKeeper root must be absolute: ${root}`);
  return trimmed;
}

/** `offsets/taba` -> `/tabstream/offsets/taba`; '' (or '/') is the root itself. */
export function absolutePath(root: string, path: string): string {
  const relative = path.replace(/^\/+/, '');
  if (relative === '') return root === '' ? '/' : root;
  if (relative.endsWith('/') || relative.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new Error(`invalid znode path: ${path}`);
  }
  return `${root}/${relative}`;
}

/** The inverse of absolutePath: `/tabstream/leader/n-0000000001` -> `leader/n-0000000001`. */
export function relativePath(root: string, absolute: string): string {
  if (root === '') return absolute.replace(/^\/+/, '');
  if (absolute === root) return '';
  if (!absolute.startsWith(`${root}/`)) throw new Error(`${absolute} is not below ${root}`);
  return absolute.slice(root.length + 1);
}

/** Ancestors of an absolute path, outermost first: `/a/b/c` -> [`/a`, `/a/b`]. */
export function ancestors(absolute: string): string[] {
  const parts = absolute.split('/').filter((part) => part !== '');
  return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
}
