export { readInventory, loadInventory, type LoadInventoryOptions, type InventoryLoad } from './load.js';
export { resolvePattern, selectHosts, splitPattern, type PatternResult } from './patterns.js';
export { inventoryList, type InventoryListJson } from './list.js';
export { connectionOf, normalizeConnectionVars, CONNECTION_VARS, type HostConnection } from './connection.js';
export { expandHostRange } from './builder.js';
