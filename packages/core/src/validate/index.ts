export { validateRun, prepareRun, type ValidateRunInput, type PrepareRunInput, type PreparedRun } from './validate.js';
export { validateArgs, schemaKeys, containsTemplate, argsFromString } from './args.js';
export { didYouMean, closest } from './suggest.js';
