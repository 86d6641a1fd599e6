export { main, buildProgram, EXIT, type CliDeps, type RunFlags } from './program.js';
export { composeRegistry, registerExport, PLUGIN_PACKAGES, type PluginLoad } from './plugins.js';
export { defaultInventory, LAB_INVENTORY } from './paths.js';
export { processIO, type CliIO } from './io.js';
