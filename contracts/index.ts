export * from './topics.js';
export * from './envelope.js';
export * from './payloads.js';
export * from './service-messages.js';
export * from './validate.js';
export { realClock, VirtualClock, type Clock } from './clock.js';
export * from './errors.js';
export { partitionOf, customerOfTopic } from './partition.js';
export { batchWrites } from './write-batching.js';
