// The Tab types `serve` renders each topology's states with, read from its
// deployed spec and reused, so a request does not load a module or wait on
// ZooKeeper but the first of each topology (and one after a failed load).
import type { HandlerRegistry } from '../tabs/handlers/registry';

interface Entry {
  registry: Promise<HandlerRegistry>;
  /** When the load settled; null while it runs. */
  settledAt: number | null;
  failed: boolean;
  /** A newer load started in the background while this entry still answers. */
  refreshing: boolean;
}

/**
 * Per topology, the types `load` gives, reused for `reuseMs`. Past that, a
 * loaded registry goes on answering while a fresh load runs in the background
 * (a redeploy's new types show within about `reuseMs`; a fresh load that
 * fails keeps the last good one). A failed load is answered (its error) for
 * `reuseMs`, then tried again on the next request.
 */
export class TopologyTypesCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    /** `refresh`: a background load while earlier types answer (a load that cannot tell may fail, and those stay). */
    private readonly load: (topology: string, refresh: boolean) => Promise<HandlerRegistry>,
    private readonly reuseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(topology: string): Promise<HandlerRegistry> {
    const entry = this.entries.get(topology);
    if (entry === undefined || (entry.failed && this.stale(entry))) return this.start(topology).registry;
    if (!entry.failed && this.stale(entry) && !entry.refreshing) this.refresh(topology, entry);
    return entry.registry;
  }

  private stale(entry: Entry): boolean {
    return entry.settledAt !== null && this.now() - entry.settledAt >= this.reuseMs;
  }

  private start(topology: string): Entry {
    const entry: Entry = { registry: this.load(topology, false), settledAt: null, failed: false, refreshing: false };
    this.entries.set(topology, entry);
    entry.registry.then(
      () => void (entry.settledAt = this.now()),
      () => {
        entry.settledAt = this.now();
        entry.failed = true;
      },
    );
    return entry;
  }

  private refresh(topology: string, current: Entry): void {
    current.refreshing = true;
    this.load(topology, true).then(
      (registry) => {
        if (this.entries.get(topology) === current) this.entries.set(topology, { registry: Promise.resolve(registry), settledAt: this.now(), failed: false, refreshing: false });
      },
      () => {
        current.settledAt = this.now();
        current.refreshing = false;
      },
    );
  }
}
