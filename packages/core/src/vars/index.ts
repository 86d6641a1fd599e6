export * from './secret.js';
export * from './precedence.js';
export { parseExtraVars } from './extra-vars.js';
export * from './unsafe.js';
