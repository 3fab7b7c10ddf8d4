/**
 * Names (Tab or client names) as small numbers, so a record can carry a
 * number in place of a name it shares with many others: a Tab's name is in
 * each of its clients' keys (300 of them in Taba's shape). A name is held
 * by the records that use it (intern counts one more holder, release one
 * fewer); when none holds it any more its number is freed and given to the
 * next new name, so numbers stay as few as the names in use and the
 * records never need renumbering.
 */
export class NameTable {
  private readonly ids = new Map<string, number>();
  /** Per number: its name, undefined while free. */
  private readonly names: Array<string | undefined> = [];
  /** Per number: how many records hold it. */
  private holders = new Int32Array(16);
  /** Numbers no name has now, to give again. */
  private readonly free: number[] = [];
  /** The names' characters, to count what the table costs. */
  private chars = 0;

  /** Names in use. */
  get size(): number {
    return this.ids.size;
  }

  /** What it holds in memory, roughly: a Map entry, an array slot and a string per name, and the counts. */
  get memoryBytes(): number {
    return this.ids.size * NAME_OVERHEAD_BYTES + this.chars + this.holders.byteLength;
  }

  /** The name's number, undefined when no record holds it. */
  idOf(name: string): number | undefined {
    return this.ids.get(name);
  }

  /** The name's number (numbered now when new), held once more. */
  intern(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.free.pop() ?? this.names.length;
      this.ids.set(name, id);
      this.names[id] = name;
      this.chars += name.length;
      if (id >= this.holders.length) {
        const grown = new Int32Array(this.holders.length * 2);
        grown.set(this.holders);
        this.holders = grown;
      }
    }
    this.holders[id]!++;
    return id;
  }

  /** A record holding the number let go of it; the last one frees it. */
  release(id: number): void {
    if (--this.holders[id]! > 0) return;
    const name = this.names[id]!;
    this.ids.delete(name);
    this.names[id] = undefined;
    this.chars -= name.length;
    this.free.push(id);
  }

  nameOf(id: number): string {
    return this.names[id]!;
  }
}

/** A Map entry (~3 words and its share of the buckets), an array slot and a string header, with pointer compression. */
const NAME_OVERHEAD_BYTES = 48;
