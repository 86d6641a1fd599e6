export {};
export { installerPlugin as plugin } from './installer/index.js';
export * as installer from './installer/index.js';
