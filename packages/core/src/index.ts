export * from './contract/remote.js';
export * from './contract/quote.js';
export * from './contract/fact.js';
export * from './contract/module.js';
export * from './contract/connector.js';
export * from './model.js';
export * from './registry.js';
export * from './executor/index.js';
