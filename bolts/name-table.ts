/**
 * Names (Tab or client names) numbered in the order first seen, so a record
 * can carry a small number in place of a name it shares with many others: a
 * Tab's name is in each of its clients' keys (300 of them in Taba's shape).
 * Numbers are dense from 0 and never reused: a holder that drops names
 * starts a new table from those still in use (FrozenArena does at compaction).
 */
export class NameTable {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  /** The names' characters, to count what the table costs. */
  private chars = 0;

  get size(): number {
    return this.names.length;
  }

  /** What it holds in memory, roughly: a Map entry, an array slot and a string per name. */
  get memoryBytes(): number {
    return this.names.length * NAME_OVERHEAD_BYTES + this.chars;
  }

  /** The name's number, undefined when never numbered. */
  idOf(name: string): number | undefined {
    return this.ids.get(name);
  }

  /** The name's number, numbering it now when new. */
  intern(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(name, id);
      this.names.push(name);
      this.chars += name.length;
    }
    return id;
  }

  nameOf(id: number): string {
    return this.names[id]!;
  }
}

/** A Map entry (~3 words and its share of the buckets), an array slot and a string header, with pointer compression. */
const NAME_OVERHEAD_BYTES = 48;
