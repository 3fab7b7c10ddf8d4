// The producer side of Tabstream: record events from an application.
export { murmur2, partitionForKey } from './partition-for-key';
export { EventMix, type EventMixOptions, type MixEvent, type MixTabType, type CounterTotals } from './event-mix';
export { SeededRandom } from './seeded-random';
