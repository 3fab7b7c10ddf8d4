// A reader that goes away (`topology query tabs | head`, a closed terminal)
// ends a command quietly. Node ignores SIGPIPE, so the next write to the pipe
// fails with EPIPE and, with no 'error' listener, throws a stack trace.

/**
 * Listens for write errors on stdout and stderr. On EPIPE, later writes to
 * that stream are dropped, and a command that ends by itself ends now, with
 * the exit code it had (0 unless it had failed). A command that handles
 * SIGTERM runs until stopped (worker, serve, demo): it keeps running, as a
 * worker does when its pino log's reader goes away; the demo also stops
 * itself (its own listener). Any other write error is one line, exit code 1.
 */
export function endQuietlyWhenOutputCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') {
        const name = stream === process.stdout ? 'stdout' : 'stderr';
        process.stderr.write(`topology: cannot write to ${name}: ${err.code ?? err.message}\n`);
        process.exit(1);
      }
      stream.write = (() => true) as typeof stream.write;
      if (process.listenerCount('SIGTERM') > 0) return;
      process.exit();
    });
  }
}
