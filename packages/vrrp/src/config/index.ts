export * from './diagnostics.js';
export * from './model.js';
export { tokenize, type Token } from './lexer.js';
export { readStatements, fileSystemSource, type ConfigSource, type Statement } from './tree.js';
export { buildConfig, MAX_WEIGHT } from './build.js';
export { splitCommandLine } from './command-line.js';
export { loadConfig, parseConfigText, type LoadResult } from './load.js';
export { checkCluster, type NodeConfig } from './cluster.js';
