/** A holder of states that can give memory back: frees about `bytes` (states it may drop), counting what it frees in the working set. */
export interface Evictor {
  evict(bytes: number): void;
  /** Optional: what it holds, by form, kind and type (a description for tools: it may visit every state). */
  describe?(): HeldStates[];
}

/**
 * States of one form, kind and type that a holder keeps in memory: how
 * many, what the working set counts for them, and their stored size.
 * Thawed: the handler's objects; resting: an entry keeping only the bytes;
 * frozen: the bytes packed in an arena.
 */
export interface HeldStates {
  form: 'thawed' | 'resting' | 'frozen';
  /** A Tab record (client `*`) or a client's state. */
  kind: 'record' | 'client';
  type: string;
  states: number;
  /** What the working set counts for them (estimates for thawed and resting states; a frozen one's record in its arena). */
  heapBytes: number;
  /** Their stored size, where at hand: a thawed state's kept bytes while they still agree with it (0 once a fold changed it, or before it was ever stored). */
  storedBytes: number;
}

/** HeldStates rows of one form, kind and type added up. */
export class HeldStatesRows {
  private readonly rows = new Map<string, HeldStates>();

  add(held: HeldStates): void {
    const key = `${held.form}\u0000${held.kind}\u0000${held.type}`;
    const row = this.rows.get(key);
    if (row === undefined) {
      this.rows.set(key, { ...held });
      return;
    }
    row.states += held.states;
    row.heapBytes += held.heapBytes;
    row.storedBytes += held.storedBytes;
  }

  list(): HeldStates[] {
    return [...this.rows.values()];
  }
}

/**
 * What kept bytes pin beyond their own length: states keep their stored
 * bytes as views on shared slabs (a serializer's, a copier's), and a slab
 * lives while any view on it does. Holders count a kept view's length and
 * tell the ledger when they keep and let go of one; it counts the rest of
 * every slab some kept view pins (tabs/codec/slab-ledger.ts).
 */
export interface PinnedBytes {
  keep(view: Uint8Array): void;
  letGo(view: Uint8Array): void;
  readonly overheadBytes: number;
}

/**
 * The process's budget for states held in memory, shared by every stateful
 * bolt task of every topology a worker runs (DESIGN.md, "Stateless workers").
 * Bolts add and remove the estimated bytes of the states they hold; after
 * each durable checkpoint of any of them, while the process is over budget,
 * every holder in turn gives back what it may (states a durable checkpoint
 * covers), until the process is under its low mark: an idle task's states
 * go too. The bound is soft: states changed since their last durable
 * checkpoint are never evicted, so a burst of new states can overshoot it
 * until they are written. The slabs that kept bytes pin count too (`pins`).
 */
/** Rounds of asking every holder, at most, per reclaim: each frees what it may, so a few suffice. */
const MAX_RECLAIM_ROUNDS = 8;

export class WorkingSet {
  private held = 0;
  private readonly evictors: Evictor[] = [];
  /** Who gives first at the next reclaim: each in turn, so no task is always the one emptied. */
  private turn = 0;
  private evictedTotal = 0;
  private fetchedTotal = 0;

  constructor(
    /** The budget, bytes. */
    readonly budgetBytes: number,
    /** Eviction goes on until the process holds this share of the budget. */
    private readonly lowMark = 0.9,
    /** The ledger of slabs its states' kept bytes pin, if they are views on shared slabs. */
    readonly pins?: PinnedBytes,
  ) {}

  /** What its states are taken to cost, and the rest of the slabs their kept bytes pin. */
  get bytes(): number {
    return this.held + this.pinnedOverheadBytes;
  }

  /** The rest of the slabs its states' kept bytes pin (counted in `bytes`). */
  get pinnedOverheadBytes(): number {
    return this.pins?.overheadBytes ?? 0;
  }

  add(bytes: number): void {
    this.held += bytes;
  }

  remove(bytes: number): void {
    this.held -= bytes;
  }

  /** How many bytes should go now: 0 under budget, else down to the low mark. */
  excess(): number {
    const held = this.bytes;
    return held > this.budgetBytes ? held - this.budgetBytes * this.lowMark : 0;
  }

  register(evictor: Evictor): () => void {
    this.evictors.push(evictor);
    return () => {
      const at = this.evictors.indexOf(evictor);
      if (at >= 0) this.evictors.splice(at, 1);
    };
  }

  /**
   * While over budget, asks the holders in turn to give back memory, down to
   * the low mark. What a holder says it freed is an estimate (a packed arena
   * gives its room back only when it compacts), so the excess is measured
   * again after each one, and the round repeats while it still frees anything.
   */
  reclaim(): void {
    for (let round = 0; round < MAX_RECLAIM_ROUNDS && this.excess() > 0; round++) {
      const before = this.bytes;
      for (let asked = 0; asked < this.evictors.length; asked++) {
        const excess = this.excess();
        if (excess <= 0) return;
        this.evictors[this.turn++ % this.evictors.length]!.evict(excess);
      }
      if (this.bytes >= before) return;
    }
  }

  /** What every holder keeps, rows of one form, kind and type added up across holders. */
  describe(): HeldStates[] {
    const rows = new HeldStatesRows();
    for (const evictor of this.evictors) for (const held of evictor.describe?.() ?? []) rows.add(held);
    return rows.list();
  }

  noteEvicted(states: number): void {
    this.evictedTotal += states;
  }

  noteFetched(states: number): void {
    this.fetchedTotal += states;
  }

  /** States evicted and fetched back since the process started. */
  get evictions(): number {
    return this.evictedTotal;
  }

  get fetches(): number {
    return this.fetchedTotal;
  }
}

