// Moved to @haweb/hostkit (one host kit for the modules and every installer); kept so imports stay.
export { type DesiredAttributes, type Plan, planAttributes, attributeCommandsForNew, type FileState, type FileArgs, PlanError, planFile } from '@haweb/hostkit';
