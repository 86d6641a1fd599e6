export * from './secret.js';
export * from './precedence.js';
export { parseExtraVars, splitKeyValueWords } from './extra-vars.js';
