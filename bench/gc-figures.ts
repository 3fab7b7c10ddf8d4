// What a worker's /metrics says of its garbage collector and CPU: seconds of
// collection by kind (tabstream_gc_seconds_total; minor: the young generation's
// scavenges; major: full mark-compacts; incremental: marking steps between them;
// weakcb: weak callbacks), and the process's CPU seconds, since it started.

export interface GcFigures {
  /** Seconds of collection by kind. */
  gc_s: Record<string, number>;
  /** The process's CPU seconds (user and system). */
  cpu_s: number;
}

export function gcFigures(metricsText: string): GcFigures {
  const gc: Record<string, number> = {};
  let cpu = Number.NaN;
  for (const line of metricsText.split('\n')) {
    const kind = /^tabstream_gc_seconds_total\{kind="([a-z]+)"[^}]*\} ([-+0-9.eE]+)$/.exec(line);
    if (kind) gc[kind[1]!] = (gc[kind[1]!] ?? 0) + Number(kind[2]);
    const total = /^process_cpu_seconds_total(?:\{[^}]*\})? ([-+0-9.eE]+)$/.exec(line);
    if (total) cpu = Number(total[1]);
  }
  return { gc_s: gc, cpu_s: cpu };
}
