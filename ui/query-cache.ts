/**
 * Answers to state queries, shared by every caller asking the same thing
 * (issue 12): a dashboard open in a hundred browsers costs about one read of
 * Redis per refresh. An answer is reused while it is younger than `ttlMs`
 * (at most a flush interval: the states move no more often than that) and
 * no checkpoint landed since it was read — the topology's state version, a
 * small read of each partition's meta, says so. Identical queries in
 * flight share one read; a failed read is not kept.
 */
export class QueryCache {
  private readonly answers = new Map<string, { version: string; at: number; answer: Promise<unknown> }>();
  private readonly versions = new Map<string, { at: number; version: Promise<string> }>();
  hits = 0;
  misses = 0;

  constructor(
    /** The topology's state version: changes whenever a checkpoint of any of its partitions lands. */
    private readonly versionOf: (topology: string) => Promise<string>,
    private readonly ttlMs: number,
    private readonly maxEntries = 512,
  ) {}

  get<T>(topology: string, key: string, read: () => Promise<T>): Promise<T> {
    return this.version(topology).then((version) => {
      const cacheKey = `${topology}\u0000${key}`;
      const now = Date.now();
      const held = this.answers.get(cacheKey);
      if (held !== undefined && held.version === version && now - held.at < this.ttlMs) {
        this.hits++;
        return held.answer as Promise<T>;
      }
      this.misses++;
      const answer = read();
      const entry = { version, at: now, answer };
      // Oldest first out (a Map keeps insertion order): bounded whatever callers ask.
      this.answers.delete(cacheKey);
      if (this.answers.size >= this.maxEntries) this.answers.delete(this.answers.keys().next().value!);
      this.answers.set(cacheKey, entry);
      answer.catch(() => {
        if (this.answers.get(cacheKey) === entry) this.answers.delete(cacheKey);
      });
      return answer;
    });
  }

  /** The version, read at most every tenth of the TTL per topology (one read shared by the callers meanwhile). */
  private version(topology: string): Promise<string> {
    const held = this.versions.get(topology);
    const now = Date.now();
    if (held !== undefined && now - held.at < this.ttlMs / 10) return held.version;
    const entry = { at: now, version: this.versionOf(topology) };
    this.versions.set(topology, entry);
    entry.version.catch(() => {
      if (this.versions.get(topology) === entry) this.versions.delete(topology);
    });
    return entry.version;
  }
}
