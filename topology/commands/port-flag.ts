/** A TCP port flag's value: 0..65535, where 0 lets the OS choose a free port. */
export function portFlag(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag} takes a port number (0-65535), got '${value}'`);
  return n;
}
