// The wire format's rule for Tab names and client ids (DESIGN.md, "Event wire
// format"). Checked when a Tab or client is created so a bad name fails in the
// caller's code, not later in the dead-letter topic.
export const WIRE_NAME_PATTERN = /^[A-Za-z0-9_.:/-]{1,200}$/;

export function assertWireName(what: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || !WIRE_NAME_PATTERN.test(name)) {
    throw new TypeError(
      `Invalid ${what} ${JSON.stringify(name)}: it must be 1..200 characters of A-Z a-z 0-9 _ . : / -`,
    );
  }
}
