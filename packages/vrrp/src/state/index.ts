export * from './timers.js';
export * from './priority.js';
export * from './instance.js';
export * from './script-tracker.js';
export * from './sync-group.js';
