export * from './topics.js';
export * from './payloads.js';
export * from './validate.js';
export type { Clock } from './clock.js';
