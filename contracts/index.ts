export * from './topics.js';
export * from './payloads.js';
export * from './validate.js';
export { realClock, VirtualClock, type Clock } from './clock.js';
