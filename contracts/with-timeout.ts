// A deadline on a call, and the typed error of one missed: every layer bounds
// its calls to Kafka, ZooKeeper and Redis (DESIGN.md), the spouts' Kafka admin
// as much as the runtime, so it lives here, below them all.

/**
 * `promise`, or a rejection with `message` once `ms` passed: for calls whose
 * client has no deadline of its own over several steps (a Kafka admin's
 * connect and request, say). The call itself is not cancelled.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(message)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** A call outlived its deadline; the service behind it may come back, so trying again makes sense. */
export class TimeoutError extends Error {
  readonly retriable = true;
}
