import { describe, expect, it } from 'vitest';
import { usageError } from '../../topology/commands/usage-errors';

describe("usageError: commander's usage errors as one line", () => {
  it('names the command whose help lists what it takes', () => {
    expect(usageError("error: unknown option '--x'\n", 'topology list')).toBe("topology: unknown option '--x' (see topology list --help)");
    expect(usageError("error: missing required argument 'name'\n", 'topology status')).toBe("topology: missing required argument 'name' (see topology status --help)");
  });

  it("keeps commander's suggestion on the same line", () => {
    expect(usageError("error: unknown option '--topolgy'\n(Did you mean --topology?)\n", 'topology query tabs')).toBe(
      "topology: unknown option '--topolgy', did you mean --topology? (see topology query tabs --help)",
    );
    expect(usageError("error: unknown command 'upp'\n(Did you mean up?)\n", 'topology dev')).toBe("topology: unknown command 'upp', did you mean up? (see topology dev --help)");
  });
});
