// Moved to @haweb/hostkit (one host kit for the modules and every installer); kept so imports stay.
export { parseMode, resolveMode, formatMode, type ModeSpec } from '@haweb/hostkit';
