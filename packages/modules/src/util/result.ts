// Moved to @haweb/hostkit (one host kit for the modules and every installer); kept so imports stay.
export { ok, changed, failed, fileDiff, stateDiff, errorMessage } from '@haweb/hostkit';
