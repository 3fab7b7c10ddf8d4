// The producer side of Tabstream: record events from an application.
export { murmur2, partitionForKey } from './partition-for-key';
