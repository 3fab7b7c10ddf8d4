// The producer side of Tabstream: record events from an application.
export { TabClient, type TabClientKafkaOptions, type TabClientOptions, type TabClientRetry, type TabClientStats } from './tab-client';
export { TabRecorder, CounterRecorder } from './tab-recorder';
export { BufferOverflowError, TabSendError } from './errors';
export { WIRE_NAME_PATTERN, assertWireName } from './wire-names';
export { murmur2, partitionForKey } from './partition-for-key';
export { EventMix, type EventMixOptions, type MixEvent, type MixTabType, type CounterTotals } from './event-mix';
export { SeededRandom } from './seeded-random';
