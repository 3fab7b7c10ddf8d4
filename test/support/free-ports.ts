// Ports for a test's own stack. Chosen below the kernel's range of ephemeral
// ports (the local ports it gives outgoing connections): a port the OS picks
// for `listen(0)` lies inside that range, and between the pick and the
// service's bind, any client's outgoing connection may take it (a broker of
// the cluster suite once failed to start so, "Address already in use").
import { readFileSync } from 'node:fs';
import { portIsFree } from '../../deploy/stack/port-check';

/** Above the fixed ports of the dev stack (2181, 9092, 6379) and the shared test stack (12181, 19092, 16379). */
const LOWEST = 20_000;

/** The first ephemeral port (Linux: /proc/sys/net/ipv4/ip_local_port_range; 32768 if unreadable). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > LOWEST + 1_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** A random port in [LOWEST, below): spread, so parallel test files rarely try the same one. */
function randomPort(below: number): number {
  return LOWEST + Math.floor(Math.random() * (below - LOWEST));
}

/** `count` distinct ports free now, outside the ephemeral range. */
export async function freePorts(count: number): Promise<number[]> {
  const below = ephemeralLow();
  const ports: number[] = [];
  while (ports.length < count) {
    const port = randomPort(below);
    if (!ports.includes(port) && (await portIsFree(port))) ports.push(port);
  }
  return ports;
}

/** A base port such that base + each offset is free now, all outside the ephemeral range. */
export async function freeBase(offsets: number[]): Promise<number> {
  const below = ephemeralLow() - Math.max(...offsets);
  if (below <= LOWEST) throw new Error(`no room below the ephemeral ports for offsets up to ${Math.max(...offsets)}`);
  for (;;) {
    const base = randomPort(below);
    const free = await Promise.all(offsets.map((offset) => portIsFree(base + offset)));
    if (free.every(Boolean)) return base;
  }
}
