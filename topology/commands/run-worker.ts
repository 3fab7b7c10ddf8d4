// A worker process in the foreground: `topology worker` and `topology local`.
// Loaded when one of them runs (the worker's clients are big to load).
import { Worker } from '../runtime/worker';
import { MetricsServer } from '../runtime/metrics-server';
import { workerMetricsRegistry } from '../runtime/worker-metrics';

export { Worker };

/** Runs a worker until SIGTERM/SIGINT, then drains: flush, commit, hand over. */
export async function runWorker(worker: Worker, metrics?: { port: number; host: string }): Promise<void> {
  // Bound before joining, so a taken port fails the command before it takes partitions.
  const server = metrics === undefined ? null : await MetricsServer.listen(workerMetricsRegistry(worker), metrics.port, metrics.host);
  if (server !== null) worker.log.info({ port: server.port, host: metrics!.host }, 'metrics served on /metrics');
  await worker.start();
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      worker.log.info({ signal }, 'draining');
      worker
        .stop()
        .catch((err: Error) => worker.log.error({ err: err.message }, 'drain failed'))
        .then(() => server?.close())
        .finally(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
