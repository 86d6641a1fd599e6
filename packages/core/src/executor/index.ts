export * from './events.js';
export * from './types.js';
export { SecretMasker, MASK } from './secrets.js';
export { tagsSelect } from './tags.js';
export { renderValue, resolveVars, isTemplated, type VarLayer } from './vars.js';
export { connectionTarget, ConnectionPool } from './connections.js';
export { buildModuleContext, resolveLocalPath } from './context.js';
export { PlaybookRunner, runPlaybook, parseKeyValues, CENSORED_MSG } from './runner.js';
export { jinjaTemplater } from './jinja.js';
