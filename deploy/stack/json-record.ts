// The small state files a stack keeps (pid files, stack.json) are JSON objects;
// anything else in them (empty, truncated, garbage) reads as absent.
export function parseJsonRecord(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
