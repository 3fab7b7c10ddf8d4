// Where the demo's table goes: redrawn in place on a terminal, appended as
// plain snapshots (separated by a blank line) when the output is a file or
// a pipe, so logs and tests read every snapshot whole.

export interface LiveScreen {
  readonly interactive: boolean;
  /** How many lines a block may take without scrolling the terminal (Infinity when appending). */
  readonly maxLines: number;
  show(lines: string[]): void;
  /** Leaves the last block on screen; what is written next goes below it. */
  done(): void;
}

export function liveScreen(out: NodeJS.WriteStream = process.stdout): LiveScreen {
  return out.isTTY ? new RedrawScreen(out) : new AppendScreen(out);
}

class RedrawScreen implements LiveScreen {
  readonly interactive = true;
  private drawn = 0;

  constructor(private readonly out: NodeJS.WriteStream) {}

  get maxLines(): number {
    return Math.max(5, (this.out.rows || 24) - 2);
  }

  show(lines: string[]): void {
    const width = this.out.columns || 120;
    // Up to the first line of the previous block, then clear to the end of the screen.
    const home = this.drawn > 0 ? `\x1b[${this.drawn}F\x1b[J` : '';
    this.out.write(`${home}${lines.map((l) => l.slice(0, width)).join('\n')}\n`);
    this.drawn = lines.length;
  }

  done(): void {
    this.drawn = 0;
  }
}

class AppendScreen implements LiveScreen {
  readonly interactive = false;
  readonly maxLines = Infinity;
  private shown = 0;

  constructor(private readonly out: NodeJS.WriteStream) {}

  show(lines: string[]): void {
    this.out.write(`${this.shown++ > 0 ? '\n' : ''}${lines.join('\n')}\n`);
  }

  done(): void {
    if (this.shown > 0) this.out.write('\n');
    this.shown = 0;
  }
}
