/** For commands a person waits on (the CLI, the demo's readout): a service call fails in one line within a few seconds. */
export const CLIENT_TIMEOUT_MS = 2000;
