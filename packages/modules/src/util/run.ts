// Moved to @haweb/hostkit (one host kit for the modules and every installer); kept so imports stay.
export { runPlan, runArgv, planScript, detachedScript, CommandFailed, type PlannedCommand } from '@haweb/hostkit';
