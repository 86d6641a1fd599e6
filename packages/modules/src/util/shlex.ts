// Moved to @haweb/hostkit (one host kit); kept so imports stay.
export { shlexSplit } from '@haweb/hostkit';
