export type { Reporter } from './reporter.js';
export { multiReporter } from './reporter.js';
export { HumanReporter, formatDuration, type HumanReporterOptions } from './human.js';
export { JsonReporter, type JsonDocument, type JsonPlay, type JsonTask, type JsonHostResult } from './json.js';
export { unifiedDiff } from './diff.js';
export { recapRows, RECAP_COLUMNS } from './recap.js';
